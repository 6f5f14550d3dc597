package dev.cohort.replicated.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.recipes.queue.WorkQueueSuite;
import dev.cohort.replicated.ReplicatedFaults;
import dev.cohort.tck.BackendFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The work queue suite on three replicas, and the queue under the replicated backend's own faults. */
class ReplicatedWorkQueueTest extends WorkQueueSuite {
  private ReplicatedRecipeFixture replicated;
  private final List<AutoCloseable> own = new CopyOnWriteArrayList<>();
  private ExecutorService threads;

  @Override
  protected BackendFixture newFixture() {
    replicated = new ReplicatedRecipeFixture();
    return replicated;
  }

  @AfterEach
  void closeOwn() throws Exception {
    if (threads != null) {
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : own) {
      c.close();
    }
  }

  private ReplicatedFaults faults() {
    return replicated.backend().faults();
  }

  private Cohort client() throws InterruptedException {
    Cohort client = Cohort.builder(replicated.backend()).sessionTimeout(Duration.ofSeconds(10)).build();
    client.start();
    own.add(client);
    return client;
  }

  private WorkQueue queue(Cohort client) throws InterruptedException {
    WorkQueue queue = WorkQueue.builder(client, "/q-faults").build();
    own.add(0, queue); // closed before its client
    return queue;
  }

  @Test
  void noJobIsLostThroughLeaderCrashesAndSessionMoves() throws Exception {
    int jobs = 300;
    threads = Executors.newCachedThreadPool();
    Set<String> returned = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> completed = new ConcurrentHashMap<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicInteger putsDone = new AtomicInteger();
    List<Future<?>> running = new ArrayList<>();

    WorkQueue producerQueue = queue(client());
    running.add(threads.submit(() -> {
      for (int i = 0; i < jobs; i++) {
        String payload = "job-" + i;
        producerQueue.put(payload.getBytes(StandardCharsets.UTF_8));
        returned.add(payload); // the put returned: the job must be completed
        putsDone.incrementAndGet();
      }
      producing.set(false);
      return null;
    }));
    List<Cohort> workerClients = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      Cohort workerClient = client();
      workerClients.add(workerClient);
      WorkQueue workerQueue = queue(workerClient);
      running.add(threads.submit(() -> {
        while (producing.get() || workerQueue.size() > 0) {
          Optional<Job> job = workerQueue.take(Duration.ofMillis(200));
          if (job.isPresent() && workerQueue.complete(job.get())) {
            completed.computeIfAbsent(new String(job.get().payload(), StandardCharsets.UTF_8), k -> new AtomicInteger())
                .incrementAndGet();
          }
        }
        return null;
      }));
    }

    // Faults paced by progress, not by the clock: a leader crash after a third of the puts, a
    // worker's session moved to another replica after two thirds, a second leader crash after that.
    await().atMost(Duration.ofSeconds(60)).until(() -> putsDone.get() >= jobs / 3);
    int firstCrashed = crashLeader();
    faults().restart(firstCrashed);
    await().atMost(Duration.ofSeconds(60)).until(() -> putsDone.get() >= 2 * jobs / 3);
    Cohort moved = workerClients.get(0);
    int from = faults().replicaOf(moved.session());
    faults().moveSession(moved.session(), from % 3 + 1);
    faults().restart(crashLeader());

    for (Future<?> f : running) {
      f.get(120, TimeUnit.SECONDS);
    }
    Set<String> lost = new TreeSet<>(returned);
    lost.removeAll(completed.keySet());
    assertEquals(jobs, returned.size(), "every put returned");
    assertEquals(Set.of(), lost, "jobs whose put returned but that were never completed");
    assertTrue(returned.containsAll(completed.keySet()), "a job completed that was never put");
  }

  /** Crashes the replica that leads and waits until another one leads; returns the crashed one. */
  private int crashLeader() {
    int leader = await().atMost(Duration.ofSeconds(10)).until(() -> faults().leader(), l -> l.isPresent()).getAsInt();
    faults().crash(leader);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> faults().leader().isPresent() && faults().leader().getAsInt() != leader);
    return leader;
  }
}
