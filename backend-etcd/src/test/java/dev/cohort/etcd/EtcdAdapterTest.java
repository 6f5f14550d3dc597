package dev.cohort.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.Stat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What is particular to the etcd mapping, beyond the TCK. */
class EtcdAdapterTest {

  private final EtcdFixture fixture = new EtcdFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void sessionTimeoutIsRoundedUpToWholeSecondsOfLease() throws Exception {
    Session s = get(fixture.backend().openSession(SessionConfig.withTimeout(Duration.ofMillis(1_500))));
    try {
      assertEquals(Duration.ofSeconds(2), s.sessionTimeout());
    } finally {
      s.close();
    }
  }

  /** Concurrent sequential creates under one parent from several sessions: unique, dense, ordered. */
  @Test
  void concurrentSequentialCreatesUnderOneParentAreUniqueDenseAndOrderedPerSession() throws Exception {
    Session setup = fixture.openSession();
    get(setup.create("/q", new byte[0], CreateMode.PERSISTENT));
    int sessions = 4;
    int each = 25;
    List<List<CompletableFuture<dev.cohort.spi.Created>>> issued = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      Session s = fixture.openSession();
      List<CompletableFuture<dev.cohort.spi.Created>> mine = new ArrayList<>();
      for (int j = 0; j < each; j++) {
        mine.add(s.create("/q/n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL));
      }
      issued.add(mine);
    }
    Set<Integer> all = new TreeSet<>();
    for (List<CompletableFuture<dev.cohort.spi.Created>> mine : issued) {
      int last = -1;
      for (CompletableFuture<dev.cohort.spi.Created> f : mine) {
        int seq = Paths.sequenceOf(get(f).path());
        assertTrue(seq > last, "a session's creates take effect in issue order");
        last = seq;
        assertTrue(all.add(seq), "unique: " + seq);
      }
    }
    assertEquals(sessions * each, all.size());
    assertEquals(0, all.iterator().next());
    assertEquals(sessions * each - 1, ((TreeSet<Integer>) all).last(), "dense: no deletes, no gaps");
    Stat parent = get(setup.exists("/q"));
    assertEquals(sessions * each, parent.numChildren());
    assertEquals(sessions * each, parent.cversion());
  }

  /** The session key in every write transaction: a revoked lease fails the next write whole. */
  @Test
  void writeOfASessionWhoseLeaseWasRevokedFailsWithSessionExpiredAndChangesNothing() throws Exception {
    Session s = fixture.openSession();
    Session observer = fixture.openSession();
    EtcdFixture.revoke(fixture.server(), s.id());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> get(s.create("/late", new byte[0], CreateMode.PERSISTENT)));
    assertInstanceOf(SessionExpiredException.class, e.getCause());
    assertNull(get(observer.exists("/late")));
  }

  /** Fencing: a node deleted and created again in one multi gets a new, larger czxid. */
  @Test
  void nodeRecreatedInOneMultiGetsANewerCzxidThanTheOneItReplaced() throws Exception {
    Session s = fixture.openSession();
    Stat old = get(s.create("/n", new byte[0], CreateMode.PERSISTENT)).stat();
    get(s.multi(List.of(dev.cohort.spi.Op.delete("/n", -1),
        dev.cohort.spi.Op.create("/n", new byte[0], CreateMode.PERSISTENT))));
    Stat fresh = get(s.exists("/n"));
    assertTrue(fresh.czxid() > old.czxid(), fresh + " vs " + old);
    assertEquals(fresh.czxid(), fresh.mzxid());
    get(s.setData("/n", new byte[] {1}, 0));
    Stat afterSet = get(s.exists("/n"));
    assertEquals(fresh.czxid(), afterSet.czxid(), "a later setData keeps the re-created node's czxid");
    assertTrue(afterSet.mzxid() > afterSet.czxid());
  }

  /**
   * A session cut off for longer than its lease's TTL: its own renewal loop makes it SUSPENDED,
   * then EXPIRED once a whole TTL passes without a renewal (it does not wait to hear from the
   * service), and etcd expires the lease and the ephemeral on its side.
   */
  @Test
  void sessionCutOffPastItsTtlIsSuspendedThenExpiresByItsOwnClock() throws Exception {
    Session s = fixture.openSession(Duration.ofSeconds(2));
    Session observer = fixture.openSession();
    get(s.create("/e", new byte[0], CreateMode.EPHEMERAL));
    List<dev.cohort.spi.SessionState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    s.addStateListener((session, state) -> states.add(state));
    fixture.disconnect(s);
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(s.exists("/e")));
    assertInstanceOf(dev.cohort.spi.ConnectionLossException.class, e.getCause());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
        .until(() -> s.state() == dev.cohort.spi.SessionState.EXPIRED);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> get(observer.exists("/e")) == null);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> states.size() == 2);
    assertEquals(List.of(dev.cohort.spi.SessionState.SUSPENDED, dev.cohort.spi.SessionState.EXPIRED), states);
    assertInstanceOf(SessionExpiredException.class,
        assertThrows(ExecutionException.class, () -> get(s.exists("/e"))).getCause());
  }

  /** Not an assertion on speed: prints the round-trip costs this machine shows, for the README. */
  @Test
  void printsOperationLatencies() throws Exception {
    Session s = fixture.openSession();
    get(s.create("/lat", new byte[0], CreateMode.PERSISTENT));
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        get(s.getData("/lat"));
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        get(s.setData("/lat", new byte[] {1}, -1));
      }
      long t2 = System.nanoTime();
      org.slf4j.LoggerFactory.getLogger(EtcdAdapterTest.class).warn(
          "FIGURE getData {} us, setData {} us", (t1 - t0) / 200_000, (t2 - t1) / 200_000);
    }
    assertTrue(get(s.exists("/lat")).version() == 400);
  }
}
