package dev.cohort.recipes.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.SessionConfig;
import dev.cohort.tck.BackendFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The work queue suite on the in-memory backend, plus tests that need its clock or its watch table. */
class InMemoryWorkQueueTest extends WorkQueueSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  /** A started client on {@code fixture}'s backend whose clock is the fixture's virtual one. */
  private static Cohort startedOnVirtualTime(InMemoryFixture fixture, Duration sessionTimeout)
      throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).timeSource(fixture.time()).sessionTimeout(sessionTimeout).build();
    client.start();
    return client;
  }

  /** take(Duration) gives up on the client's clock: virtual time drives its timeout. */
  @Test
  void aTakeTimesOutOnTheClientsVirtualClock() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Cohort client = startedOnVirtualTime(fixture, Duration.ofSeconds(10))) {
      WorkQueue queue = WorkQueue.builder(client, "/vq").build();
      Future<Optional<Job>> taking = thread.submit(() -> queue.take(Duration.ofHours(1)));
      await().until(() -> queue.waitingTakes() == 1);

      fixture.advanceTime(Duration.ofHours(1));

      assertEquals(Optional.empty(), taking.get(30, TimeUnit.SECONDS), "an hour of virtual time ended the take");
      await().until(() -> childrenOrNone(client, "/vq/waiters").isEmpty());
      queue.close();
    } finally {
      thread.shutdownNow();
      fixture.close();
    }
  }

  /**
   * A waiting take gets a delayed job when it comes due on the client's virtual clock, not before;
   * a delayed put due sooner than the one it waits for wakes it to look again (the watch on
   * {@code delayed/}), so the sooner job is taken at its own time.
   */
  @Test
  void aWaitingTakeGetsADelayedJobWhenItComesDueOnVirtualTime() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Cohort client = startedOnVirtualTime(fixture, Duration.ofHours(10));
        Cohort other = startedOnVirtualTime(fixture, Duration.ofHours(10))) {
      WorkQueue queue = WorkQueue.builder(client, "/dq").build();
      WorkQueue producer = WorkQueue.builder(other, "/dq").build();
      producer.put("late".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(10));
      Future<Optional<Job>> taking = thread.submit(() -> queue.take(Duration.ofHours(1)));
      await().until(() -> queue.waitingTakes() == 1);
      long wakeUps = queue.watchWakeUps();

      producer.put("soon".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5));
      await().until(() -> queue.watchWakeUps() > wakeUps && queue.waitingTakes() == 1);
      fixture.advanceTime(Duration.ofMinutes(4));
      await().until(() -> queue.waitingTakes() == 1);
      assertEquals(Optional.empty(), producer.tryTakeAsync().get(30, TimeUnit.SECONDS), "nothing is due yet");
      assertTrue(!taking.isDone(), "the take still waits");

      fixture.advanceTime(Duration.ofMinutes(1));
      Job soon = taking.get(30, TimeUnit.SECONDS).orElseThrow();
      assertEquals("soon", new String(soon.payload(), StandardCharsets.UTF_8));
      assertTrue(queue.complete(soon));

      assertEquals(Optional.empty(), queue.take(Duration.ZERO), "the other is not due yet");
      Future<Optional<Job>> next = thread.submit(() -> queue.take(Duration.ofHours(1)));
      await().until(() -> queue.waitingTakes() == 1);
      fixture.advanceTime(Duration.ofMinutes(5));
      Job late = next.get(30, TimeUnit.SECONDS).orElseThrow();
      assertEquals("late", new String(late.payload(), StandardCharsets.UTF_8));
      assertTrue(queue.complete(late));
      queue.close();
      producer.close();
    } finally {
      thread.shutdownNow();
      fixture.close();
    }
  }

  /**
   * Delayed jobs in later windows and lanes (three hours, two hundred days out) are taken at their
   * own time on the virtual clock, not before, by a take that waits across those boundaries; a job
   * due far later does not delay one due sooner.
   */
  @Test
  void delayedJobsInLaterWindowsAndLanesAreTakenAtTheirTime() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Cohort client = startedOnVirtualTime(fixture, Duration.ofDays(400))) {
      WorkQueue queue = WorkQueue.builder(client, "/lq").build();
      queue.put("far".getBytes(StandardCharsets.UTF_8), Duration.ofDays(200));
      queue.put("hours".getBytes(StandardCharsets.UTF_8), Duration.ofHours(3));
      for (String expected : List.of("hours", "far")) {
        Future<Optional<Job>> taking = thread.submit(() -> queue.take(Duration.ofDays(300)));
        await().until(() -> queue.waitingTakes() == 1);
        Duration step = expected.equals("hours") ? Duration.ofHours(3) : Duration.ofDays(200).minusHours(3);
        fixture.advanceTime(step.minusSeconds(1));
        await().until(() -> queue.waitingTakes() == 1);
        assertTrue(!taking.isDone(), "not due yet: " + expected);
        fixture.advanceTime(Duration.ofSeconds(1));
        Job job = taking.get(30, TimeUnit.SECONDS).orElseThrow();
        assertEquals(expected, new String(job.payload(), StandardCharsets.UTF_8));
        assertTrue(queue.complete(job));
      }
      queue.close();
    } finally {
      thread.shutdownNow();
      fixture.close();
    }
  }

  /**
   * A take waiting for a job due in two days (another window) is woken by a put due in one minute
   * (a new window and bucket, under directories it read and watches), and takes that job at its
   * time, not the far one.
   */
  @Test
  void aWaitingTakeIsWokenByADelayedPutDueInAnEarlierWindow() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Cohort client = startedOnVirtualTime(fixture, Duration.ofDays(10));
        Cohort other = startedOnVirtualTime(fixture, Duration.ofDays(10))) {
      WorkQueue queue = WorkQueue.builder(client, "/eq").build();
      WorkQueue producer = WorkQueue.builder(other, "/eq").build();
      producer.put("far".getBytes(StandardCharsets.UTF_8), Duration.ofDays(2));
      Future<Optional<Job>> taking = thread.submit(() -> queue.take(Duration.ofDays(3)));
      await().until(() -> queue.waitingTakes() == 1);
      long wakeUps = queue.watchWakeUps();

      producer.put("soon".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
      await().until(() -> queue.watchWakeUps() > wakeUps && queue.waitingTakes() == 1);
      fixture.advanceTime(Duration.ofMinutes(1));

      Job soon = taking.get(30, TimeUnit.SECONDS).orElseThrow();
      assertEquals("soon", new String(soon.payload(), StandardCharsets.UTF_8));
      assertTrue(queue.complete(soon));
      assertEquals(Optional.empty(), queue.take(Duration.ZERO), "the far one is not due");
      queue.close();
      producer.close();
    } finally {
      thread.shutdownNow();
      fixture.close();
    }
  }

  /**
   * A window of due times refuses a new bucket once it holds {@link
   * DelayedTree#MAX_BUCKETS_PER_WINDOW} (here buckets of one job, all due at one moment): the put
   * fails with QueueFullException and adds nothing; a job due in another window is still accepted.
   */
  @Test
  void aFullWindowOfDelayedJobsRefusesAPutAndAddsNothing() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    try (Cohort client = Cohort.builder(fixture.backend()).build()) {
      client.start();
      WorkQueue queue = WorkQueue.builder(client, "/fq").bucketSize(1).build();
      java.time.Instant due = java.time.Instant.ofEpochMilli(5_000);
      for (int i = 0; i < DelayedTree.MAX_BUCKETS_PER_WINDOW; i++) {
        queue.put(new byte[0], due);
      }
      assertEquals(DelayedTree.MAX_BUCKETS_PER_WINDOW, WorkQueueSuite.delayedJobs(client, "/fq/delayed").size());

      QueueFullException full = assertThrows(QueueFullException.class, () -> queue.put(new byte[0], due));
      assertTrue(full.getMessage().contains("/fq"), full.getMessage());
      assertEquals(DelayedTree.MAX_BUCKETS_PER_WINDOW, WorkQueueSuite.delayedJobs(client, "/fq/delayed").size());
      queue.put(new byte[0], java.time.Instant.ofEpochMilli(5_000 + DelayedTree.WINDOW_MILLIS));
      assertEquals(DelayedTree.MAX_BUCKETS_PER_WINDOW + 1, WorkQueueSuite.delayedJobs(client, "/fq/delayed").size());
      queue.close();
    } finally {
      fixture.close();
    }
  }

  /**
   * A prioritized job that fails is requeued due at once with its priority; if that window is full
   * the fail is refused with QueueFullException and changes nothing: the claim stays, and the job
   * can still be completed.
   */
  @Test
  void aPrioritizedJobsFailIntoAFullWindowChangesNothing() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    try (Cohort client = startedOnVirtualTime(fixture, SessionConfig.DEFAULT_SESSION_TIMEOUT)) {
      WorkQueue queue = WorkQueue.builder(client, "/pq").bucketSize(1).build();
      PutOptions urgent = PutOptions.defaults().withPriority(3);
      for (int i = 0; i < DelayedTree.MAX_BUCKETS_PER_WINDOW; i++) {
        queue.put(new byte[0], urgent);
      }
      Job job = queue.take(Duration.ofSeconds(5)).orElseThrow();

      assertThrows(QueueFullException.class, () -> queue.fail(job));

      assertEquals(List.of(job.id()), WorkQueueSuite.childrenOrNone(client, "/pq/claims"), "the claim stays");
      assertEquals(DelayedTree.MAX_BUCKETS_PER_WINDOW, WorkQueueSuite.delayedJobs(client, "/pq/delayed").size());
      assertTrue(queue.complete(job));
      assertEquals(DelayedTree.MAX_BUCKETS_PER_WINDOW - 1, WorkQueueSuite.delayedJobs(client, "/pq/delayed").size());
      queue.close();
    } finally {
      fixture.close();
    }
  }

  /**
   * Many takes that time out, are interrupted or get a job, on several workers at once (so that
   * waiters watch predecessors that leave at the same moment): once every worker is idle, the
   * service holds as many watches as before the first take.
   */
  @Test
  void takesThatTimeOutOrAreInterruptedLeaveNoWatchBehind() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService threads = Executors.newCachedThreadPool();
    List<Cohort> clients = new ArrayList<>();
    try {
      List<WorkQueue> workers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Cohort client = Cohort.builder(fixture.backend()).sessionTimeout(Duration.ofSeconds(10)).build();
        client.start();
        clients.add(client);
        workers.add(WorkQueue.builder(client, "/wq").build());
      }
      WorkQueue producer = workers.get(0);
      int baseline = fixture.backend().registeredWatches();
      Random random = new Random(13);
      int interrupted = 0;
      for (int round = 0; round < 150; round++) {
        List<Future<Optional<Job>>> takes = new ArrayList<>();
        List<Thread[]> takers = new ArrayList<>();
        for (WorkQueue worker : workers) {
          Duration timeout = Duration.ofMillis(1 + random.nextInt(8));
          Thread[] taker = new Thread[1];
          takers.add(taker);
          takes.add(threads.submit(() -> {
            Thread.interrupted(); // an interrupt meant for an earlier take of this pool thread
            taker[0] = Thread.currentThread();
            try {
              return worker.take(timeout);
            } catch (InterruptedException e) {
              return Optional.<Job>empty();
            }
          }));
        }
        if (random.nextInt(4) == 0) {
          producer.put("job".getBytes(StandardCharsets.UTF_8));
        }
        if (random.nextInt(3) == 0) {
          int victim = random.nextInt(workers.size());
          WorkQueue worker = workers.get(victim);
          if (worker.waitingTakes() > 0 && takers.get(victim)[0] != null) {
            takers.get(victim)[0].interrupt(); // a take blocked in the line
            interrupted++;
          }
        }
        for (int i = 0; i < takes.size(); i++) {
          Optional<Job> job = takes.get(i).get(30, TimeUnit.SECONDS);
          if (job.isPresent()) {
            assertTrue(workers.get(i).complete(job.get()));
          }
        }
      }
      Optional<Job> left; // jobs put in the last rounds, after every take had given up
      while ((left = producer.tryTakeAsync().get(10, TimeUnit.SECONDS)).isPresent()) {
        assertTrue(producer.complete(left.get()));
      }
      System.out.printf("watch leak test: %d takes interrupted while waiting%n", interrupted);

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertEquals(baseline, fixture.backend().registeredWatches(), "watches left once every worker is idle"));
    } finally {
      threads.shutdownNow();
      clients.forEach(Cohort::close);
      fixture.close();
    }
  }

  /**
   * A worker killed by a crash (its session cut off, then expired at the service, then its client
   * closed) while its loop of short takes runs: the take under way returns or throws promptly
   * instead of hanging on the closed client (the soak found a take(300 ms) that never returned,
   * blocked in an untimed wait for a read sent while the session was cut off). Kills land at
   * different moments of the loop: while a take waits in the line, and while takes run against
   * the cut-off session.
   */
  @Test
  void aTakeOfAWorkerKilledByACrashEndsPromptly() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService threads = Executors.newCachedThreadPool();
    try (Cohort producerClient = Cohort.builder(fixture.backend()).sessionTimeout(Duration.ofSeconds(10)).build()) {
      producerClient.start();
      WorkQueue producer = WorkQueue.builder(producerClient, "/kq").build();
      for (int round = 0; round < 6; round++) {
        Cohort client = Cohort.builder(fixture.backend()).sessionTimeout(Duration.ofSeconds(10)).build();
        client.start();
        WorkQueue queue = WorkQueue.builder(client, "/kq").build();
        AtomicInteger takes = new AtomicInteger();
        Future<?> loop = threads.submit(() -> {
          while (!client.isClosed()) {
            try {
              takes.incrementAndGet();
              queue.take(Duration.ofMillis(300)).ifPresent(job -> { });
            } catch (CoordinationException | IllegalStateException killed) {
              // cut off or closed under the take: the loop looks at the client again
            }
          }
          return null;
        });
        await().until(() -> queue.waitingTakes() == 1);
        dev.cohort.spi.Session session = client.session();
        fixture.disconnect(session);
        if (round % 2 == 1) {
          int started = takes.get();
          await().until(() -> takes.get() > started); // a take begun on the cut-off session
        }
        producer.put("wake".getBytes(StandardCharsets.UTF_8)); // a watch that cannot be delivered
        fixture.expire(session);
        client.close();

        await().atMost(Duration.ofSeconds(20)).until(loop::isDone); // a hang guard, not a speed bound
        loop.get(); // the loop itself failed in no other way
        Optional<Job> left;
        while ((left = producer.tryTakeAsync().get(10, TimeUnit.SECONDS)).isPresent()) {
          assertTrue(producer.complete(left.get()));
        }
      }
    } finally {
      threads.shutdownNow();
      fixture.close();
    }
  }

  /**
   * Every wait of a take follows its deadline, also the reads and claims it sends: a take(1 s)
   * begun while the client is cut off (its operations held back until the session comes back or
   * times out) ends once 1 s of the client's virtual clock has passed, well before the session's
   * 10 s timeout.
   */
  @Test
  void aTakeOnACutOffClientEndsAtItsDeadline() throws Exception {
    InMemoryFixture fixture = new InMemoryFixture();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Cohort client = startedOnVirtualTime(fixture, Duration.ofSeconds(10))) {
      WorkQueue queue = WorkQueue.builder(client, "/cq").build();
      fixture.disconnect(client.session());
      await().until(() -> client.connectionState() == dev.cohort.recipes.ConnectionState.SUSPENDED);
      Future<Optional<Job>> taking = thread.submit(() -> queue.take(Duration.ofSeconds(1)));
      await().until(() -> queue.takesAwaitingRequests() == 1); // its deadline is set: time may move

      fixture.advanceTime(Duration.ofSeconds(2));

      await().atMost(Duration.ofSeconds(20)).until(taking::isDone); // a hang guard, not a speed bound
      assertEquals(Optional.empty(), taking.get(), "the take gave up at its deadline, with no job");
      assertTrue(client.connectionState() == dev.cohort.recipes.ConnectionState.SUSPENDED,
          "the session was still cut off, not yet timed out, when the take ended");
      queue.close();
    } finally {
      thread.shutdownNow();
      fixture.close();
    }
  }
}
