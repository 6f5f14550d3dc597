package dev.cohort.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read that sets a one-shot watch completes only once the watch is armed against the session's
 * namespace watch (the stream's start known, any change the stream already passed judged), as a
 * ZooKeeper read registers its watch before it answers: a change made after the read completes
 * then reaches the watcher through the one stream, in order with the session's other watches.
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
  void aWatchedReadCompletesOnlyOnceItsWatchIsSettled() throws Exception {
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

  /** Once the session's namespace watch is open, setting a watch costs its read alone. */
  @Test
  void watchesAfterTheFirstCostNoRequestBeyondTheirRead() throws Exception {
    EtcdBackend backend = (EtcdBackend) fixture.backend();
    EtcdSession s = (EtcdSession) fixture.openSession();
    get(s.create("/n", new byte[0], CreateMode.PERSISTENT));
    get(s.getData("/n", event -> { }));
    for (int round = 0; round < 10; round++) {
      long before = backend.requestsSent();
      get(s.exists("/n" + round, event -> { }));
      get(s.getChildren("/n", event -> { }));
      assertEquals(2, backend.requestsSent() - before, "round " + round);
    }
  }
}
