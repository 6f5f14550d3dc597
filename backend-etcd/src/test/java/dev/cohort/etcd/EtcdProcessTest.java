package dev.cohort.etcd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A machine without etcd fails the tests loudly, saying how to install it; it never skips. */
class EtcdProcessTest {

  @Test
  void missingBinaryFailsWithHowToInstallIt() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EtcdProcess.find(List.of("/nonexistent/etcd", "")));
    assertTrue(e.getMessage().contains("apt-get install -y etcd-server"), e.getMessage());
    assertTrue(e.getMessage().contains("/nonexistent/etcd"), e.getMessage());
  }
}
