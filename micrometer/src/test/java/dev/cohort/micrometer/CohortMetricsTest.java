package dev.cohort.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.cache.ChildData;
import dev.cohort.recipes.cache.NodeCache;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.recipes.queue.FailOutcome;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.spi.NoNodeException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scripted scenarios on the in-memory backend and its virtual clock, each followed by the values
 * the meters (and observations) must show. Durations are exact: they are measured on the virtual
 * clock, which moves only when the test moves it.
 */
class CohortMetricsTest {

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort client(CohortMetrics metrics) throws InterruptedException {
    Cohort.Builder builder = Cohort.builder(fixture.backend()).timeSource(fixture.time());
    if (metrics != null) {
      builder.events(metrics);
    }
    Cohort client = builder.build();
    client.start();
    clients.add(client);
    return client;
  }

  private static double count(MeterRegistry registry, String name, String... tags) {
    Meter meter = registry.find(name).tags(tags).meter();
    if (meter == null) {
      return 0;
    }
    if (meter instanceof Timer t) {
      return t.count();
    }
    return meter.measure().iterator().next().getValue();
  }

  private static double seconds(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tags(tags).timer().totalTime(TimeUnit.SECONDS);
  }

  @Test
  void aContendedLockRecordsWaitHoldAndContention() throws Exception {
    SimpleMeterRegistry holderMeters = new SimpleMeterRegistry();
    SimpleMeterRegistry waiterMeters = new SimpleMeterRegistry();
    TestObservationRegistry waiterObservations = TestObservationRegistry.create();
    DistributedLock holder = new DistributedLock(client(CohortMetrics.builder(holderMeters).build()), "/locks/orders/42");
    DistributedLock waiter = new DistributedLock(client(CohortMetrics.builder(waiterMeters)
        .observationRegistry(waiterObservations).build()), "/locks/orders/42");
    ExecutorService waiterThread = Executors.newSingleThreadExecutor(); // a hold belongs to its thread
    try {
      holder.acquire();
      Future<FencingToken> waiting = waiterThread.submit(waiter::acquire);
      await().until(() -> fixture.registeredWatches() == 1); // the waiter watches the holder's node
      fixture.advanceTime(Duration.ofSeconds(5));
      holder.release();
      waiting.get(10, TimeUnit.SECONDS);
      fixture.advanceTime(Duration.ofSeconds(2));
      waiterThread.submit(waiter::release).get(10, TimeUnit.SECONDS);
    } finally {
      waiterThread.shutdownNow();
    }

    String[] lock = {"kind", "lock", "path", "/locks/orders"};
    assertEquals(1, count(holderMeters, "cohort.lock.acquisitions", concat(lock, "contention", "uncontended")));
    assertEquals(0, count(holderMeters, "cohort.lock.acquisitions", concat(lock, "contention", "contended")));
    assertEquals(5.0, seconds(holderMeters, "cohort.lock.held", lock));
    assertEquals(0.0, seconds(holderMeters, "cohort.lock.wait", concat(lock, "outcome", "acquired")));

    assertEquals(1, count(waiterMeters, "cohort.lock.acquisitions", concat(lock, "contention", "contended")));
    assertEquals(5.0, seconds(waiterMeters, "cohort.lock.wait", concat(lock, "outcome", "acquired")));
    assertEquals(2.0, seconds(waiterMeters, "cohort.lock.held", lock));
    assertEquals(0, count(waiterMeters, "cohort.lock.holds", lock));

    assertThat(waiterObservations)
        .hasObservationWithNameEqualTo("cohort.lock.acquire").that()
        .hasBeenStarted().hasBeenStopped()
        .hasLowCardinalityKeyValue("path", "/locks/orders")
        .hasLowCardinalityKeyValue("contention", "contended");
    assertThat(waiterObservations)
        .hasObservationWithNameEqualTo("cohort.operation").that()
        .hasBeenStopped();
    assertNoTagHoldsANodeName(holderMeters);
    assertNoTagHoldsANodeName(waiterMeters);
  }

  @Test
  void aTimedOutAcquireIsRecordedAsATimeout() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    DistributedLock holder = new DistributedLock(client(null), "/locks/a");
    DistributedLock waiter = new DistributedLock(client(CohortMetrics.builder(meters).build()), "/locks/a");
    holder.acquire();

    assertEquals(Optional.empty(), waiter.tryLock());

    String[] lock = {"kind", "lock", "path", "/locks/a"};
    assertEquals(1, count(meters, "cohort.lock.wait", concat(lock, "outcome", "timeout")));
    assertEquals(0, count(meters, "cohort.lock.acquisitions", concat(lock, "contention", "contended")));
  }

  @Test
  void aLeaderChangeRecordsTermsGainedLostAndTheirLength() throws Exception {
    SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();
    SimpleMeterRegistry secondMeters = new SimpleMeterRegistry();
    LeaderLatch first = LeaderLatch.builder(client(CohortMetrics.builder(firstMeters).build()), "/election").id("a").build();
    LeaderLatch second = LeaderLatch.builder(client(CohortMetrics.builder(secondMeters).build()), "/election").id("b").build();
    first.start();
    assertTrue(first.await(Duration.ofSeconds(10)));
    second.start();
    await().until(() -> fixture.registeredWatches() == 1); // the second in line watches the first

    fixture.advanceTime(Duration.ofSeconds(3));
    first.close();
    assertTrue(second.await(Duration.ofSeconds(10)));

    String[] path = {"path", "/election"};
    assertEquals(1, count(firstMeters, "cohort.leadership.changes", concat(path, "change", "gained")));
    assertEquals(1, count(firstMeters, "cohort.leadership.changes", concat(path, "change", "lost")));
    assertEquals(3.0, seconds(firstMeters, "cohort.leadership.term", path));
    assertEquals(0, count(firstMeters, "cohort.leadership.leading", path));
    // await: the latch wakes its waiters as it claims the term, and reports the term just after
    await().until(() -> count(secondMeters, "cohort.leadership.changes", concat(path, "change", "gained")) == 1);
    assertEquals(1, count(secondMeters, "cohort.leadership.leading", path));
    second.close();
  }

  @Test
  void anExpiryRecordsTheTransitionsAndTheLostHold() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).tags(Tags.of("client", "a")).build());
    DistributedLock lock = new DistributedLock(client, "/locks/b");
    lock.acquire();
    assertEquals(1, count(meters, "cohort.session.state", "state", "connected"));

    fixture.expire(client.session());

    String[] hold = {"kind", "lock", "path", "/locks/b"};
    await().until(() -> count(meters, "cohort.ownership.changes", concat(hold, "change", "lost")) == 1);
    await().until(() -> count(meters, "cohort.session.state", "state", "reconnected") == 1);
    assertEquals(1, count(meters, "cohort.session.transitions", "from", "none", "to", "connected"));
    assertEquals(1, count(meters, "cohort.session.transitions", "from", "connected", "to", "lost"));
    assertEquals(1, count(meters, "cohort.session.transitions", "from", "lost", "to", "reconnected"));
    assertEquals(0, count(meters, "cohort.session.state", "state", "connected"));
    assertEquals(0, count(meters, "cohort.session.state", "state", "lost"));
    assertEquals(0, count(meters, "cohort.ownership.changes", concat(hold, "change", "confirmed")));
    assertTrue(meters.getMeters().stream().allMatch(m -> "a".equals(m.getId().getTag("client"))),
        "the common tag is on every meter");
    lock.release(); // quiet after the loss, and the hold ends
    assertEquals(0, count(meters, "cohort.lock.holds", hold));
  }

  @Test
  void aDisconnectRecordsMayBeLostAndThenConfirmed() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).build());
    DistributedLock lock = new DistributedLock(client, "/locks/e");
    lock.acquire();

    fixture.disconnect(client.session());
    String[] hold = {"kind", "lock", "path", "/locks/e"};
    await().until(() -> count(meters, "cohort.ownership.changes", concat(hold, "change", "may_be_lost")) == 1);
    assertEquals(1, count(meters, "cohort.session.state", "state", "suspended"));
    fixture.reconnect(client.session());

    await().until(() -> count(meters, "cohort.ownership.changes", concat(hold, "change", "confirmed")) == 1);
    assertEquals(1, count(meters, "cohort.session.transitions", "from", "suspended", "to", "reconnected"));
    assertEquals(0, count(meters, "cohort.ownership.changes", concat(hold, "change", "lost")));
    lock.release();
  }

  @Test
  void aDeadLetterIsCountedWithTheQueuesOtherOutcomes() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).build());
    WorkQueue queue = WorkQueue.builder(client, "/queues/mail").maxAttempts(2).build();
    queue.put(new byte[] {1});
    queue.put(new byte[] {2});

    Job first = queue.take(Duration.ZERO).orElseThrow();
    assertEquals(1, count(meters, "cohort.queue.in.flight", "path", "/queues/mail"));
    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    Job second = queue.take(Duration.ZERO).orElseThrow();
    assertTrue(queue.complete(second));
    Job again = queue.take(Duration.ZERO).orElseThrow();
    assertEquals(FailOutcome.DEAD_LETTERED, queue.fail(again));

    String[] path = {"path", "/queues/mail"};
    assertEquals(2, count(meters, "cohort.queue.puts", path));
    assertEquals(3, count(meters, "cohort.queue.claims", path));
    assertEquals(1, count(meters, "cohort.queue.settled", concat(path, "outcome", "requeued")));
    assertEquals(1, count(meters, "cohort.queue.settled", concat(path, "outcome", "completed")));
    assertEquals(1, count(meters, "cohort.queue.settled", concat(path, "outcome", "dead_lettered")));
    assertEquals(0, count(meters, "cohort.queue.in.flight", path));
    assertEquals(0, queue.size());
    assertEquals(0, count(meters, "cohort.queue.depth", path));
    assertEquals(List.of(1), queue.deadLetters().stream().map(id -> 1).toList());
    assertNoTagHoldsANodeName(meters);
  }

  @Test
  void operationsAreTimedByOperationAndOutcome() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).build());
    client.blocking().create("/x", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);

    assertThrows(NoNodeException.class, () -> client.blocking().delete("/missing", -1));

    assertEquals(1, count(meters, "cohort.operations", "operation", "create", "outcome", "success"));
    assertEquals(1, count(meters, "cohort.operations", "operation", "delete", "outcome", "no_node"));
  }

  @Test
  void partitionsTakenAndGivenUpAreCountedAndOwnedIsAGauge() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).build());
    for (String id : List.of("p0", "p1", "p2")) {
      PartitionClaimer.definePartition(client, "/work", id, new byte[0]);
    }
    Set<String> owned = ConcurrentHashMap.newKeySet();
    PartitionClaimer claimer = PartitionClaimer.builder(client, "/work", "solo", new PartitionListener() {
      @Override
      public void assigned(Partition partition) {
        owned.add(partition.id());
      }

      @Override
      public void revoked(String partitionId) {
        owned.remove(partitionId);
      }
    }).start();
    await().until(() -> owned.size() == 3);
    assertEquals(3, count(meters, "cohort.partition.moves", "path", "/work", "direction", "assigned"));
    assertEquals(3, count(meters, "cohort.partition.owned", "path", "/work"));

    claimer.close();

    await().until(() -> count(meters, "cohort.partition.owned", "path", "/work") == 0);
    assertEquals(3, count(meters, "cohort.partition.moves", "path", "/work", "direction", "revoked"));
  }

  @Test
  void cacheRefreshesAreCounted() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).build());
    client.blocking().create("/config", new byte[] {1}, dev.cohort.spi.CreateMode.PERSISTENT);
    List<Optional<ChildData>> seen = new CopyOnWriteArrayList<>();
    try (NodeCache cache = NodeCache.start(client, "/config", seen::add)) {
      assertEquals(1, count(meters, "cohort.cache.refreshes", "path", "/config", "outcome", "success"));
      client.blocking().setData("/config", new byte[] {2}, -1);
      await().until(() -> count(meters, "cohort.cache.refreshes", "path", "/config", "outcome", "success") == 2);
      assertEquals(0, count(meters, "cohort.cache.refreshes", "path", "/config", "outcome", "failure"));
    }
  }

  @Test
  void withoutAListenerTheClientReportsNothing() throws Exception {
    Cohort client = client(null);
    assertFalse(client.events().isPresent());
  }

  @Test
  void thePathTagIsAPrefixOfTheRecipePath() {
    assertEquals("/locks/orders", CohortMetrics.prefix("/locks/orders/42", 2));
    assertEquals("/locks", CohortMetrics.prefix("/locks/orders/42", 1));
    assertEquals("/locks/orders/42", CohortMetrics.prefix("/locks/orders/42", 3));
    assertEquals("/a", CohortMetrics.prefix("/a", 2));
    assertThrows(IllegalArgumentException.class, () -> CohortMetrics.builder(new SimpleMeterRegistry()).pathTagDepth(0));
  }

  @Test
  void aCustomPathTagIsUsed() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).pathTag(p -> "all").build());
    DistributedLock lock = new DistributedLock(client, "/locks/c");
    lock.acquire();
    lock.release();
    assertEquals(1, count(meters, "cohort.lock.held", "kind", "lock", "path", "all"));
    assertNull(meters.find("cohort.lock.held").tag("path", "/locks/c").timer());
  }

  @Test
  void aPathTagMappingThatFailsDoesNotFailTheRecipe() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Cohort client = client(CohortMetrics.builder(meters).pathTag(p -> {
      throw new IllegalStateException("broken mapping");
    }).build());
    DistributedLock lock = new DistributedLock(client, "/locks/d");
    lock.acquire();
    lock.release();
    assertEquals(1, count(meters, "cohort.lock.held", "kind", "lock", "path", "invalid"));
  }

  /** No tag value may carry a sequential node's name or a job id (they end in ten digits). */
  private static void assertNoTagHoldsANodeName(MeterRegistry registry) {
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        assertFalse(t.getValue().matches(".*\\d{10}.*"), m.getId() + " has a node name in a tag");
        assertFalse(t.getValue().contains("_c_"), m.getId() + " has a protected node's name in a tag");
      }
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
