package dev.cohort.recipes.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mockingDetails;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Session;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delayed jobs scale as pending jobs do: with 10 or with 20,000 delayed jobs due far in the future
 * (one to thirty days out), a put due now, a take of a due job and a take that waits for a job due
 * in ten minutes cost the same requests, and no listing they read is longer than a bucket. Counted
 * at the session (a spy around a real in-memory session) on the fixture's virtual clock, not timed.
 * Before the delayed jobs had buckets, the 20,000 could not even be put (the queue refused more
 * than 10,000), and every take read all of them in one listing.
 */
class WorkQueueDelayedDepthTest {
  private static final Set<String> REQUESTS =
      Set.of("create", "delete", "setData", "getData", "exists", "getChildren", "multi", "removeWatches");
  private static final int FILL_WINDOW = 16;
  private static final int OPS = 64;
  private static final Duration LONG_SESSION = Duration.ofHours(10);

  private final List<InMemoryFixture> fixtures = new ArrayList<>();
  private final List<Cohort> clients = new ArrayList<>();
  private final ExecutorService thread = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() {
    thread.shutdownNow();
    clients.forEach(Cohort::close);
    fixtures.forEach(InMemoryFixture::close);
  }

  /** What a spied client read: {@link #OPS} puts, {@link #OPS} takes and completions, one waiting take. */
  private record Cost(int longestListing, double requestsPerPut, double requestsPerTake, long requestsOfWait) {}

  @Test
  void delayedPutsAndTakesCostTheSameWhateverTheNumberOfDelayedJobs() throws Exception {
    Cost few = measure(10);
    Cost many = measure(20_000);
    System.out.printf("delayed depth cost: 10 delayed %s; 20000 delayed %s%n", few, many);

    assertTrue(many.longestListing() <= WorkQueue.BUCKET_SIZE + FILL_WINDOW,
        "no listing longer than a bucket with 20,000 delayed jobs: " + many);
    assertEquals(few.requestsPerPut(), many.requestsPerPut(), 0.1, "requests per delayed put");
    assertEquals(few.requestsPerTake(), many.requestsPerTake(), 0.1, "requests per take and complete");
    assertEquals(few.requestsOfWait(), many.requestsOfWait(), "requests of a take waiting for a job to come due");
  }

  private Cost measure(int delayed) throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    fixtures.add(fixture);
    fill(fixture, "/q", delayed);
    AtomicInteger longest = new AtomicInteger();
    Session real = fixture.openSession(LONG_SESSION);
    Session session = ForcedReplies.recordingLongestListing(real, longest);
    Cohort client = ForcedReplies.clientOn(fixture, session, b -> b.timeSource(fixture.time()).sessionTimeout(LONG_SESSION));
    clients.add(client);
    WorkQueue warmUp = WorkQueue.builder(client, "/q").build();
    warmUp.put(bytes("warm-up")); // creates the receipts' directory
    assertTrue(warmUp.complete(warmUp.take(Duration.ofSeconds(5)).orElseThrow()));
    warmUp.close();
    org.mockito.Mockito.clearInvocations(session);

    // A fresh instance: its first put looks its bucket up, its first take lists the delayed jobs.
    WorkQueue queue = WorkQueue.builder(client, "/q").claimSpread(1, 0).build();
    for (int i = 0; i < OPS; i++) {
      queue.put(bytes("due-" + i), Duration.ZERO);
    }
    long putRequests = requests(session);
    org.mockito.Mockito.clearInvocations(session);
    for (int i = 0; i < OPS; i++) {
      Job job = queue.take(Duration.ofSeconds(5)).orElseThrow();
      assertTrue(text(job).startsWith("due-"), text(job));
      assertTrue(queue.complete(job));
    }
    long takeRequests = requests(session);

    // A take that waits for a job due in ten minutes, put by another client.
    Cohort producerClient = client(fixture);
    WorkQueue producer = WorkQueue.builder(producerClient, "/q").build();
    producer.put(bytes("soon"), Duration.ofMinutes(10));
    org.mockito.Mockito.clearInvocations(session);
    Future<Optional<Job>> taking = thread.submit(() -> queue.take(Duration.ofHours(1)));
    await().until(() -> queue.waitingTakes() == 1);
    fixture.advanceTime(Duration.ofMinutes(10));
    Job soon = taking.get(30, TimeUnit.SECONDS).orElseThrow();
    assertEquals("soon", text(soon));
    assertTrue(queue.complete(soon));
    long waitRequests = requests(session);
    queue.close();
    producer.close();
    return new Cost(longest.get(), (double) putRequests / OPS, (double) takeRequests / OPS, waitRequests);
  }

  private Cohort client(InMemoryFixture fixture) throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).timeSource(fixture.time()).sessionTimeout(LONG_SESSION).build();
    client.start();
    clients.add(client);
    return client;
  }

  /** Puts {@code count} jobs due one to thirty days from now, {@link #FILL_WINDOW} at a time. */
  private void fill(InMemoryFixture fixture, String path, int count) throws Exception {
    WorkQueue queue = WorkQueue.builder(client(fixture), path).build();
    Random random = new Random(7);
    List<CompletableFuture<String>> window = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Duration delay = Duration.ofDays(1).plusMillis((long) (random.nextDouble() * Duration.ofDays(29).toMillis()));
      window.add(queue.putAsync(bytes("far-" + i), PutOptions.defaults().withDelay(delay)));
      if (window.size() == FILL_WINDOW) {
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    queue.close();
  }

  private static long requests(Session session) {
    return mockingDetails(session).getInvocations().stream()
        .filter(i -> REQUESTS.contains(i.getMethod().getName())).count();
  }

  private static String text(Job job) {
    return new String(job.payload(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
