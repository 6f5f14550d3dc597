package dev.cohort.examples.migration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.testing.CohortFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DistributedQueue and WorkQueue: images put by one process are rendered by another. Curator pushes
 * each message to a consumer callback; Cohort's workers take a job, then complete (or fail) it.
 */
class QueueMigrationTest extends MigrationTestBase {

  private static final int IMAGES = 10;

  /** The work: remembers what it rendered. */
  static final class Thumbnails {
    final Set<String> rendered = ConcurrentHashMap.newKeySet();

    void render(String image) {
      rendered.add(image);
    }
  }

  private final Thumbnails thumbnails = new Thumbnails();

  private static Set<String> images() {
    Set<String> all = ConcurrentHashMap.newKeySet();
    all.add("image-42");
    for (int i = 0; i < IMAGES; i++) {
      all.add("image-" + i);
    }
    return all;
  }

  @Test
  void curatorQueueDeliversEveryImage() throws Exception {
    CuratorFramework client = curator();
    QueueSerializer<String> serializer = new QueueSerializer<>() {
      @Override public byte[] serialize(String item) { return item.getBytes(UTF_8); }
      @Override public String deserialize(byte[] bytes) { return new String(bytes, UTF_8); }
    };
    // snippet: curator-queue
    QueueConsumer<String> consumer = new QueueConsumer<>() {
      @Override public void consumeMessage(String image) { thumbnails.render(image); }
      @Override public void stateChanged(CuratorFramework c, ConnectionState state) { }
    };
    DistributedQueue<String> queue = QueueBuilder.builder(client, consumer, serializer, "/queues/thumbnails")
        .lockPath("/queues/thumbnails-lock")  // a message is removed only after consumeMessage returns
        .buildQueue();
    queue.start();
    queue.put("image-42");
    // end-snippet
    closeLater(queue);
    DistributedQueue<String> producer =
        QueueBuilder.builder(curator(), null, serializer, "/queues/thumbnails").buildQueue();
    producer.start();
    closeLater(producer);
    for (int i = 0; i < IMAGES; i++) {
      producer.put("image-" + i);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> thumbnails.rendered.equals(images()));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void cohortQueueDeliversEveryImage(Backend backend) throws Exception {
    Cohort client = cohort(backend);
    WorkQueue producer = closeLater(WorkQueue.builder(cohort(backend), "/queues/thumbnails").build());
    for (int i = 0; i < IMAGES; i++) {
      producer.put(("image-" + i).getBytes(UTF_8));
    }
    List<Job> done = new ArrayList<>();
    // snippet: cohort-queue
    WorkQueue queue = WorkQueue.builder(client, "/queues/thumbnails").maxAttempts(5).build();
    queue.put("image-42".getBytes(UTF_8));

    // in a worker (any number of them, in any process): claim a job, do it, complete it
    Optional<Job> job = queue.take(Duration.ofSeconds(1));
    if (job.isPresent()) {
      thumbnails.render(new String(job.get().payload(), UTF_8));
      queue.complete(job.get());              // or fail(job): retried, then dead-lettered
    }
    // end-snippet
    closeLater(queue);
    job.ifPresent(done::add);
    while (done.size() < IMAGES + 1) {
      Job next = queue.take(Duration.ofSeconds(10)).orElseThrow();
      thumbnails.render(new String(next.payload(), UTF_8));
      assertTrue(queue.complete(next), "the claim was still ours");
      done.add(next);
    }
    assertEquals(images(), thumbnails.rendered);
    assertEquals(0, queue.size(), "completed jobs are gone");
    assertEquals(List.of(), queue.deadLetters());
  }

  @Test
  void cohortJobOfAWorkerThatDiesIsTakenAgain() throws Exception {
    WorkQueue producer = closeLater(WorkQueue.builder(cohort(Backend.IN_MEMORY), "/queues/thumbnails").build());
    producer.put("image-7".getBytes(UTF_8));
    Cohort doomed = cohort(Backend.IN_MEMORY);
    Job first = WorkQueue.builder(doomed, "/queues/thumbnails").build().take(Duration.ofSeconds(1)).orElseThrow();

    inMemoryFixture().crash(doomed);                                   // mid-job: no complete(), no fail()
    WorkQueue survivor = closeLater(WorkQueue.builder(cohort(Backend.IN_MEMORY), "/queues/thumbnails").build());
    assertTrue(survivor.take(Duration.ZERO).isEmpty(), "the claim holds while the dead worker's session lives");
    inMemoryFixture().advanceTime(CohortFixture.DEFAULT_SESSION_TIMEOUT.plusSeconds(1));   // virtual time

    Job again = survivor.take(Duration.ofSeconds(10)).orElseThrow();
    assertEquals("image-7", new String(again.payload(), UTF_8));
    assertTrue(again.fencingToken().compareTo(first.fencingToken()) > 0, "the new claim fences out the old one");
    assertTrue(survivor.complete(again));
    assertEquals(0, survivor.size());
  }
}
