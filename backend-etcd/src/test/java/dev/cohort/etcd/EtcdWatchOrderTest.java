package dev.cohort.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read that sets a one-shot watch completes only once its etcd watch exists on the server (and
 * any gap behind it is judged), as a ZooKeeper read registers its watch before it answers: a change
 * made after the read completes must not meet a watch still being created, which etcd would serve
 * late from its catch-up loop, out of order with the session's other watches.
 */
class EtcdWatchOrderTest {

  private final EtcdFixture fixture = new EtcdFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void aWatchedReadCompletesOnlyOnceItsEtcdWatchIsSettled() throws Exception {
    EtcdSession s = (EtcdSession) fixture.openSession();
    get(s.create("/n", new byte[0], CreateMode.PERSISTENT));
    for (int round = 0; round < 20; round++) {
      get(s.getData("/n", event -> { }));
      assertEquals(0, get(s.unsettledWatches()), "data watch, round " + round);
      get(s.exists("/n", event -> { }));
      assertEquals(0, get(s.unsettledWatches()), "exists watch, round " + round);
      get(s.getChildren("/n", event -> { }));
      assertEquals(0, get(s.unsettledWatches()), "child watch, round " + round);
    }
  }
}
