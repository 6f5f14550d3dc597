package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mockingDetails;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a handoff of the exclusive lock costs, counted, with 4 and with 1,000 contenders queued: the
 * requests every session sends (each a Mockito spy over a real in-memory session), by kind, and the
 * watch events that wake a waiter. A handoff is: the holder releases, the next in line takes over,
 * and the old holder queues again at the back, so the queue keeps its length. Counts, not times.
 */
class LockScaleTest {

  private static final String LOCK = "/scale-lock";
  private static final Set<String> REQUESTS = Set.of("getChildren", "getData", "exists", "create", "delete",
      "setData", "sync", "multi", "addWatch", "removeWatches");
  private static final int SESSIONS = 4;
  private static final int HANDOFFS = 20;

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(Cohort::close);
    fixture.close();
  }

  /** Requests sent by kind, over {@code sessions}. */
  private static Map<String, Long> requests(List<Session> sessions) {
    return sessions.stream().flatMap(s -> mockingDetails(s).getInvocations().stream())
        .map(i -> i.getMethod().getName()).filter(REQUESTS::contains)
        .collect(Collectors.groupingBy(name -> name, Collectors.counting()));
  }

  private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
    return after.entrySet().stream().filter(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L) != 0)
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)));
  }

  /** The figures of {@link #HANDOFFS} handoffs among {@code contenders}. */
  private record Cost(Map<String, Long> requests, long wakeups) {}

  private Cost handoffsAmong(int contenders) throws Exception {
    List<Session> sessions = new ArrayList<>();
    List<DistributedLock> locks = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      Session session = ForcedReplies.over(fixture.openSession());
      Cohort client = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/n" + contenders));
      clients.add(client);
      sessions.add(session);
      locks.add(new DistributedLock(client, LOCK));
    }
    // Every contender is an asynchronous acquire: a contender of its own, with no thread of its own.
    List<CompletableFuture<LockHold>> pending = new ArrayList<>();
    List<DistributedLock> owners = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      DistributedLock lock = locks.get(i % SESSIONS);
      pending.add(lock.acquireAsync());
      owners.add(lock);
    }
    await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(60))
        .until(() -> parked(locks) == contenders - 1 && pending.stream().filter(CompletableFuture::isDone).count() == 1);

    // The first holder met no contention when it took the lock, so it releases with a plain
    // delete: one handoff first, uncounted, so that every counted holder waited for its turn.
    Map<String, Long> before = null;
    long wakeupsBefore = 0;
    for (int h = -1; h < HANDOFFS; h++) {
      if (h == 0) {
        before = requests(sessions);
        wakeupsBefore = wakeups(locks);
      }
      int holder = indexOfDone(pending);
      LockHold hold = pending.get(holder).get(10, TimeUnit.SECONDS);
      assertTrue(hold.release());
      // the old holder queues again at the back
      DistributedLock lock = owners.get(holder);
      pending.set(holder, lock.acquireAsync());
      await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(30))
          .until(() -> parked(locks) == contenders - 1 && pending.stream().filter(CompletableFuture::isDone).count() == 1);
    }
    Cost cost = new Cost(minus(requests(sessions), before), wakeups(locks) - wakeupsBefore);
    for (CompletableFuture<LockHold> f : pending) {
      if (f.isDone()) {
        f.join().release();
      } else {
        f.cancel(false);
      }
    }
    return cost;
  }

  private static int indexOfDone(List<CompletableFuture<LockHold>> pending) {
    for (int i = 0; i < pending.size(); i++) {
      if (pending.get(i).isDone()) {
        return i;
      }
    }
    throw new AssertionError("nobody holds");
  }

  private static int parked(List<DistributedLock> locks) {
    return locks.stream().mapToInt(DistributedLock::parkedWaiters).sum();
  }

  private static long wakeups(List<DistributedLock> locks) {
    return locks.stream().mapToLong(DistributedLock::wakeups).sum();
  }

  @Test
  void aHandoffSendsTheSameRequestsAndWakesOneWaiterWithFourOrAThousandQueued() throws Exception {
    Cost four = handoffsAmong(4);
    Cost thousand = handoffsAmong(1000);

    // Per handoff: the holder's marked release (one multi); the waiter behind takes over on that
    // event without a request; the old holder queues again: create, listing, getData watch.
    Map<String, Long> expected = Map.of("multi", (long) HANDOFFS, "create", (long) HANDOFFS,
        "getChildren", (long) HANDOFFS, "getData", (long) HANDOFFS);
    assertEquals(expected, four.requests(), "4 contenders");
    assertEquals(expected, thousand.requests(), "1,000 contenders");
    assertEquals(HANDOFFS, four.wakeups(), "one waiter woken per handoff, 4 contenders");
    assertEquals(HANDOFFS, thousand.wakeups(), "one waiter woken per handoff, 1,000 contenders");
  }
}
