package dev.cohort.recipes.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mockingDetails;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Session;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Put and take cost does not grow with the queue's depth: at 10 and at 100,000 pending jobs, the
 * longest listing a put or a take reads is bounded by the bucket size, and the requests per
 * operation are the same. Counted at the session (a spy around a real in-memory session), not
 * timed.
 */
class WorkQueueDepthTest {
  private static final Set<String> REQUESTS =
      Set.of("create", "delete", "setData", "getData", "exists", "getChildren", "multi", "removeWatches");
  /** Puts the filler keeps in flight: each may land in a bucket another just filled. */
  private static final int FILL_WINDOW = 16;
  private static final int OPS = 64;

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(Cohort::close);
    fixture.close();
  }

  /** What a spied client read while doing {@link #OPS} puts, then {@link #OPS} takes and completions. */
  private record Cost(int longestListing, double requestsPerPut, double requestsPerTake) {}

  @Test
  void putAndTakeReadAtMostOneBucketWhateverTheDepth() throws Exception {
    Cost shallow = measure("/shallow", 10);
    Cost deep = measure("/deep", 100_000);
    System.out.printf("queue depth cost: depth 10 %s; depth 100000 %s%n", shallow, deep);

    assertTrue(shallow.longestListing() <= 10 + 1 + OPS, "shallow: " + shallow); // its one bucket
    assertTrue(deep.longestListing() > 10 + 1 + OPS, "the deep queue's bucket is listed: " + deep);
    assertTrue(deep.longestListing() <= WorkQueue.BUCKET_SIZE + FILL_WINDOW,
        "no listing longer than a bucket at depth 100,000: " + deep);
    assertEquals(shallow.requestsPerPut(), deep.requestsPerPut(), 0.1, "requests per put");
    assertEquals(shallow.requestsPerTake(), deep.requestsPerTake(), 0.1, "requests per take and complete");
  }

  private Cost measure(String path, int depth) throws Exception {
    fill(path, depth);
    AtomicInteger longest = new AtomicInteger();
    Session real = fixture.openSession();
    Session session = ForcedReplies.recordingLongestListing(real, longest);
    Cohort client = ForcedReplies.clientOn(fixture, session, b -> b);
    clients.add(client);
    WorkQueue producer = WorkQueue.builder(client, path).build();
    producer.put(bytes("warm-up")); // creates the receipts' directory
    org.mockito.Mockito.clearInvocations(session);

    // A fresh instance each: its first put finds the newest bucket, its first take the oldest
    // one, so the listings a cold instance reads are counted too.
    WorkQueue queue = WorkQueue.builder(client, path).claimSpread(1, 0).build();
    for (int i = 0; i < OPS; i++) {
      queue.put(bytes("measured-" + i));
    }
    long putRequests = requests(session);
    org.mockito.Mockito.clearInvocations(session);
    for (int i = 0; i < OPS; i++) {
      assertTrue(queue.complete(queue.take(Duration.ofSeconds(5)).orElseThrow()));
    }
    long takeRequests = requests(session);
    queue.close();
    producer.close();
    return new Cost(longest.get(), (double) putRequests / OPS, (double) takeRequests / OPS);
  }

  private static long requests(Session session) {
    return mockingDetails(session).getInvocations().stream()
        .filter(i -> REQUESTS.contains(i.getMethod().getName())).count();
  }

  /**
   * A take that lists afresh a queue without delayed jobs reads in one transaction: the bucket, the
   * claims and the queue's own children (which say there are no delayed jobs to read first), and,
   * the bucket being the newest it knows, the list of buckets. It then reads the job and claims it:
   * two transactions and one read in all, where a separate read of the delayed jobs made three.
   */
  @Test
  void aTakeThatListsAfreshReadsTheDelayedJobsOnlyWhenThereAreSome() throws Exception {
    Cohort producerClient = Cohort.builder(fixture.backend()).build();
    producerClient.start();
    clients.add(producerClient);
    WorkQueue producer = WorkQueue.builder(producerClient, "/fused").build();
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    Cohort client = ForcedReplies.clientOn(fixture, session, b -> b);
    clients.add(client);
    WorkQueue worker = WorkQueue.builder(client, "/fused").build();
    producer.put(bytes("first"));
    assertTrue(worker.complete(worker.take(Duration.ofSeconds(5)).orElseThrow())); // learns the layout
    producer.put(bytes("second"));
    org.mockito.Mockito.clearInvocations(session);

    Job job = worker.take(Duration.ofSeconds(5)).orElseThrow();

    assertEquals("second", new String(job.payload(), StandardCharsets.UTF_8));
    org.mockito.Mockito.verify(session, org.mockito.Mockito.times(2)).multi(anyList()); // listing, claim
    org.mockito.Mockito.verify(session, org.mockito.Mockito.times(1)).getData(anyString(), any());
    assertEquals(3, requests(session), "requests of the take");

    // With a delayed job due, the same take reads the delayed jobs too, and takes that job first.
    producer.put(bytes("third"));
    producer.put(bytes("due"), PutOptions.defaults().withDelay(Duration.ZERO));
    assertTrue(worker.complete(job));
    Job next = worker.take(Duration.ofSeconds(5)).orElseThrow();
    assertEquals("due", new String(next.payload(), StandardCharsets.UTF_8));
  }

  /** Puts {@code depth} jobs with a plain client, {@link #FILL_WINDOW} at a time. */
  private void fill(String path, int depth) throws Exception {
    Cohort filler = Cohort.builder(fixture.backend()).sessionTimeout(Duration.ofSeconds(30)).build();
    filler.start();
    clients.add(filler);
    WorkQueue queue = WorkQueue.builder(filler, path).build();
    List<CompletableFuture<String>> window = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      window.add(queue.putAsync(bytes("fill-" + i)));
      if (window.size() == FILL_WINDOW) {
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    queue.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
