package dev.cohort.replicated;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a data directory, acknowledged writes survive replica restarts and a whole-cluster restart. */
class DurabilityTest {
  @TempDir
  Path dir;

  private static ReplicatedBackend open(Path dir) {
    return ReplicatedBackend.builder().dataDirectory(dir).fsync(false).snapshotEvery(50).build();
  }

  @Test
  void everyAcknowledgedWriteSurvivesAWholeClusterRestartFromDisk() {
    try (ReplicatedBackend first = open(dir)) {
      Session s = first.openSession(SessionConfig.withTimeout(Duration.ofSeconds(10))).join();
      for (int i = 0; i < 120; i++) { // past snapshotEvery, so recovery reads a snapshot and a log
        s.create("/n" + i, new byte[] {(byte) i}, CreateMode.PERSISTENT).join();
      }
      s.setData("/n7", new byte[] {42}, -1).join();
    }
    try (ReplicatedBackend second = open(dir)) {
      Session s = second.openSession(SessionConfig.withTimeout(Duration.ofSeconds(10))).join();
      s.sync("/").join();
      assertEquals(120 + 1, s.getChildren("/").join().names().size(), "120 nodes plus /zookeeper");
      assertArrayEquals(new byte[] {42}, s.getData("/n7").join().data());
      assertArrayEquals(new byte[] {119}, s.getData("/n119").join().data());
      s.create("/after", new byte[0], CreateMode.PERSISTENT).join();
    }
  }

  @Test
  void restartedReplicaRecoversFromItsOwnDiskAndCatchesUp() {
    try (ReplicatedBackend backend = open(dir)) {
      Session s = backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(10))).join();
      s.create("/a", new byte[0], CreateMode.PERSISTENT).join();
      backend.faults().crash(3);
      s.create("/b", new byte[0], CreateMode.PERSISTENT).join();
      backend.faults().restart(3);
      await().atMost(Duration.ofSeconds(10)).until(() -> backend.onLoop(c ->
          c.service(3) != null && c.service(3).tree().stat("/b") != null && c.service(3).tree().stat("/a") != null));
    }
  }
}
