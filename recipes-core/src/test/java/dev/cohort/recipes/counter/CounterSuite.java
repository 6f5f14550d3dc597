package dev.cohort.recipes.counter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.spi.CreateMode;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SharedCounter and DistributedAtomicLong guarantees, on any backend: subclasses supply the fixture. */
public abstract class CounterSuite {

  protected abstract BackendFixture newFixture();

  private BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final List<SharedCounter> counters = new CopyOnWriteArrayList<>();
  private ExecutorService threads;

  @BeforeEach
  void setUp() {
    fixture = newFixture();
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    counters.forEach(SharedCounter::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend())
        .sessionTimeout(Duration.ofSeconds(10))
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  private SharedCounter counter(Cohort client, long initial) throws InterruptedException {
    SharedCounter counter = SharedCounter.start(client, "/counters/shared", initial);
    counters.add(counter);
    return counter;
  }

  @Test
  void concurrentIncrementsFromManyClientsLoseNoUpdate() throws Exception {
    int clientsCount = 4;
    int perClient = 40;
    List<Future<Integer>> runs = new ArrayList<>();
    for (int c = 0; c < clientsCount; c++) {
      DistributedAtomicLong counter = DistributedAtomicLong.of(newClient(), "/counters/atomic", 1000);
      runs.add(threads.submit(() -> {
        int succeeded = 0;
        for (int i = 0; i < perClient; i++) {
          if (counter.increment().succeeded()) {
            succeeded++;
          }
        }
        return succeeded;
      }));
    }
    int succeeded = 0;
    for (Future<Integer> run : runs) {
      succeeded += run.get();
    }

    assertEquals(clientsCount * perClient, succeeded);
    assertEquals(clientsCount * perClient, DistributedAtomicLong.of(newClient(), "/counters/atomic", 1).get());
  }

  @Test
  void compareAndSetAppliesOnlyWhenTheValueIsTheExpectedOne() throws Exception {
    DistributedAtomicLong counter = DistributedAtomicLong.of(newClient(), "/counters/atomic", 3);
    assertEquals(0, counter.get(), "a missing counter reads as 0");

    AtomicResult wrong = counter.compareAndSet(5, 10);
    AtomicResult right = counter.compareAndSet(0, 10);

    assertEquals(new AtomicResult(false, 0, 0), wrong);
    assertEquals(new AtomicResult(true, 0, 10), right);
    assertEquals(10, counter.get());
    assertEquals(new AtomicResult(true, 10, 7), counter.add(-3));
  }

  @Test
  void underContentionWithOneAttemptTheReportedSuccessesAreExactlyTheAppliedIncrements() throws Exception {
    int clientsCount = 4;
    int perClient = 40;
    List<Future<Integer>> runs = new ArrayList<>();
    for (int c = 0; c < clientsCount; c++) {
      DistributedAtomicLong counter = DistributedAtomicLong.of(newClient(), "/counters/atomic", 1);
      runs.add(threads.submit(() -> {
        int succeeded = 0;
        for (int i = 0; i < perClient; i++) {
          AtomicResult result = counter.increment();
          if (result.succeeded()) {
            assertEquals(result.preValue() + 1, result.postValue());
            succeeded++;
          } else {
            assertEquals(result.preValue(), result.postValue(), "a failed increment reports no change");
          }
        }
        return succeeded;
      }));
    }
    int succeeded = 0;
    for (Future<Integer> run : runs) {
      succeeded += run.get();
    }

    assertEquals(succeeded, DistributedAtomicLong.of(newClient(), "/counters/atomic", 1).get(),
        "every reported success was applied once and no failure was applied");
  }

  @Test
  void aNodeThatIsNotACounterIsAClearErrorAndIsLeftAlone() throws Exception {
    Cohort client = newClient();
    client.blocking().createWithParents("/counters/text", "hello".getBytes(), CreateMode.PERSISTENT);
    DistributedAtomicLong counter = DistributedAtomicLong.of(client, "/counters/text", 3);

    IllegalStateException e = assertThrows(IllegalStateException.class, counter::increment);

    assertTrue(e.getMessage().contains("does not hold a counter"), e.getMessage());
    assertEquals("hello", new String(client.blocking().getData("/counters/text", null).data()));
  }

  @Test
  void trySetCountWithAStaleVersionFailsAndLeavesTheCount() throws Exception {
    SharedCounter first = counter(newClient(), 5);
    SharedCounter second = counter(newClient(), 99);
    assertEquals(5, second.getVersionedValue().value(), "the second start does not overwrite the count");

    VersionedValue seen = first.getVersionedValue();
    assertTrue(second.trySetCount(second.getVersionedValue(), 6));

    assertFalse(first.trySetCount(seen, 100));
    assertEquals(6, first.getVersionedValue().value());
  }

  @Test
  void listenersSeeEveryChangeEndingOnTheFinalCount() throws Exception {
    SharedCounter watched = counter(newClient(), 0);
    List<Long> seen = new CopyOnWriteArrayList<>();
    watched.addListener(seen::add);
    SharedCounter writer = counter(newClient(), 0);

    for (int i = 1; i <= 5; i++) {
      writer.setCount(i);
    }

    await().until(() -> watched.getCount() == 5);
    await().until(() -> !seen.isEmpty() && seen.get(seen.size() - 1) == 5);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i - 1) < seen.get(i), "in order: " + seen);
    }
  }

  @Test
  void badSettingsAreRejected() throws Exception {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class, () -> DistributedAtomicLong.of(client, "/c", 0));
    assertThrows(dev.cohort.spi.InvalidPathException.class, () -> DistributedAtomicLong.of(client, "c", 1));
  }
}
