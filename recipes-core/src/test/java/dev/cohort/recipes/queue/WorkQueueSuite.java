package dev.cohort.recipes.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.RetryPolicy;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.Paths;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The work queue's guarantees, on any backend: subclasses supply the fixture.
 */
public abstract class WorkQueueSuite {
  private static final Duration SHORT = Duration.ofMillis(50);
  /**
   * How long a take that must find a job may wait: it returns as soon as it has one, so this only
   * bounds a slow service (a loaded machine, a replicated or ZooKeeper backend on a cold queue).
   */
  private static final Duration JOB = Duration.ofSeconds(5);

  protected abstract BackendFixture newFixture();

  private BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final List<WorkQueue> queues = new CopyOnWriteArrayList<>();
  private ExecutorService threads;

  @BeforeEach
  void setUp() {
    fixture = newFixture();
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    queues.forEach(WorkQueue::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    return newClient(Cohort.builder(fixture.backend()));
  }

  private Cohort newClient(Cohort.Builder builder) throws InterruptedException {
    Cohort client = builder.sessionTimeout(Duration.ofSeconds(10)).build();
    client.start();
    clients.add(client);
    return client;
  }

  private WorkQueue queue(Cohort client) throws InterruptedException {
    return queue(WorkQueue.builder(client, "/q"));
  }

  private WorkQueue queue(WorkQueue.Builder builder) throws InterruptedException {
    WorkQueue queue = builder.build();
    queues.add(queue);
    return queue;
  }

  /** The children of {@code path}, none if it is missing (the queue's directories may be containers). */
  static List<String> childrenOrNone(Cohort client, String path) throws InterruptedException {
    try {
      return client.blocking().getChildren(path, null).names();
    } catch (dev.cohort.spi.NoNodeException e) {
      return List.of();
    }
  }

  /**
   * The delayed job nodes under {@code dir} (a queue's {@code delayed/}), at any depth: those an old
   * version put there directly and those in the buckets of its tree. Drained directories may stay
   * until a walker or the container sweep removes them; they are not jobs.
   */
  static List<String> delayedJobs(Cohort client, String dir) throws InterruptedException {
    List<String> jobs = new ArrayList<>();
    for (String child : childrenOrNone(client, dir)) {
      if (child.contains(QueueDecisions.JOB_PREFIX)) {
        jobs.add(dir + "/" + child);
      } else {
        jobs.addAll(delayedJobs(client, dir + "/" + child));
      }
    }
    return jobs;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Job job) {
    return new String(job.payload(), StandardCharsets.UTF_8);
  }

  @Test
  void aPutJobIsTakenWithItsPayloadAndCompletingRemovesIt() throws Exception {
    WorkQueue queue = queue(newClient());

    queue.put(bytes("hello"));
    Job job = queue.take(JOB).orElseThrow();

    assertEquals("hello", text(job));
    assertEquals(0, job.attempts());
    assertTrue(queue.complete(job));
    assertEquals(0, queue.size());
    assertEquals(Optional.empty(), queue.tryTakeAsync().get());
  }

  @Test
  void oneWorkerTakesJobsOldestFirst() throws Exception {
    WorkQueue queue = queue(WorkQueue.builder(newClient(), "/q").claimSpread(1, 0));
    for (int i = 0; i < 5; i++) {
      queue.put(bytes("job" + i));
    }

    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Job job = queue.take(JOB).orElseThrow();
      taken.add(text(job));
      queue.complete(job);
    }

    assertEquals(List.of("job0", "job1", "job2", "job3", "job4"), taken);
  }

  @Test
  void aClaimedJobIsNotGivenToAnotherWorker() throws Exception {
    WorkQueue first = queue(newClient());
    WorkQueue second = queue(newClient());
    first.put(bytes("only"));

    Job job = first.take(JOB).orElseThrow();

    assertEquals(Optional.empty(), second.take(SHORT));
    assertTrue(first.complete(job));
  }

  @Test
  void aWorkerWhoseSessionExpiresLosesItsClaimAndAnotherWorkerTakesTheJob() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort dying = newClient();
    WorkQueue dyingQueue = queue(dying);
    WorkQueue survivor = queue(newClient());
    dyingQueue.put(bytes("work"));
    Job lost = dyingQueue.take(JOB).orElseThrow();

    fixture.expire(dying.session());
    Job retaken = survivor.take(Duration.ofSeconds(5)).orElseThrow();

    assertEquals("work", text(retaken));
    assertTrue(retaken.fencingToken().isNewerThan(lost.fencingToken()), "a later claim has a larger token");
    await().until(() -> dying.connectionState().isConnected() && dying.sessionId() != 0);
    assertFalse(dyingQueue.complete(lost), "the lost claim cannot complete the job");
    assertEquals(1, survivor.size(), "the job is still there for its new claimant");
    assertTrue(survivor.complete(retaken));
    assertEquals(0, survivor.size());
  }

  @Test
  void aWaitingWorkerTakesTheJobOfAWorkerWhoseSessionExpires() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort dying = newClient();
    WorkQueue dyingQueue = queue(dying);
    WorkQueue survivor = queue(newClient());
    dyingQueue.put(bytes("work"));
    Job lost = dyingQueue.take(JOB).orElseThrow();
    Future<Optional<Job>> waiting = threads.submit(() -> survivor.take(Duration.ofSeconds(60)));
    await().until(() -> survivor.waitingTakes() == 1);

    fixture.expire(dying.session());

    Job retaken = waiting.get(20, TimeUnit.SECONDS).orElseThrow();
    assertEquals("work", text(retaken));
    assertTrue(retaken.fencingToken().isNewerThan(lost.fencingToken()));
  }

  /**
   * A completion that meets a disconnected service with no retries left waits for the connection
   * instead of failing and leaving the claim to hold the job for the rest of the session.
   */
  @Test
  void completeOutlastsTheRetryPolicyWhileTheClaimsSessionLives() throws Exception {
    assumeTrue(fixture.supports(FaultControl.DISCONNECT), "needs DISCONNECT");
    Cohort worker = newClient(Cohort.builder(fixture.backend()).retryPolicy(RetryPolicy.none()));
    WorkQueue queue = queue(worker);
    queue.put(bytes("work"));
    Job job = queue.take(JOB).orElseThrow();

    fixture.disconnect(worker.session());
    Thread[] completer = new Thread[1];
    Future<Boolean> completing = threads.submit(() -> {
      completer[0] = Thread.currentThread();
      return queue.complete(job);
    });
    await().until(() -> completer[0] != null && completer[0].getState() == Thread.State.WAITING
        || completer[0] != null && completer[0].getState() == Thread.State.TIMED_WAITING);
    assertFalse(completing.isDone(), "complete must wait for the connection, not fail");

    fixture.reconnect(worker.session());

    assertTrue(completing.get(20, TimeUnit.SECONDS));
    assertEquals(0, queue.size());
  }

  @Test
  void aStaleClaimCannotFailOrCompleteAJobSomeoneElseHolds() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort dying = newClient();
    WorkQueue dyingQueue = queue(dying);
    WorkQueue survivor = queue(newClient());
    dyingQueue.put(bytes("work"));
    Job stale = dyingQueue.take(JOB).orElseThrow();
    fixture.expire(dying.session());
    Job current = survivor.take(Duration.ofSeconds(5)).orElseThrow();
    await().until(() -> dying.connectionState().isConnected());

    assertEquals(FailOutcome.CLAIM_LOST, dyingQueue.fail(stale));
    assertFalse(dyingQueue.complete(stale));

    assertEquals(1, survivor.size());
    assertTrue(survivor.complete(current), "the current claim is untouched");
  }

  /**
   * A worker's cached listing goes stale while other workers finish its jobs. Its next take must
   * not try every stale entry (one failed operation each): after two misses in a row it lists
   * again and claims the oldest job still open.
   */
  @Test
  void aTakeFacingAStaleListingListsAgainAfterTwoMissesAndClaimsAnOpenJob() throws Exception {
    WorkQueue slow = queue(WorkQueue.builder(newClient(), "/q").claimSpread(1, 0));
    WorkQueue fast = queue(WorkQueue.builder(newClient(), "/q").claimSpread(1, 0));
    for (int i = 0; i < 20; i++) {
      slow.put(bytes("job" + i));
    }
    Job first = slow.take(JOB).orElseThrow(); // lists all 20 and caches the 19 it did not claim
    assertEquals("job0", text(first));
    for (int i = 1; i <= 15; i++) {
      Job done = fast.take(JOB).orElseThrow();
      assertEquals("job" + i, text(done));
      assertTrue(fast.complete(done));
    }
    long missesBefore = slow.claimMisses();
    long listingsBefore = slow.listingsRead();

    Job next = slow.take(JOB).orElseThrow();

    assertEquals("job16", text(next), "the oldest job nobody has claimed or completed");
    assertEquals(WorkQueue.MAX_MISSES_BEFORE_RELIST, slow.claimMisses() - missesBefore,
        "only two of the 15 stale entries were tried");
    assertEquals(1, slow.listingsRead() - listingsBefore, "one fresh listing replaced the stale one");
    assertTrue(slow.complete(first));
    assertTrue(slow.complete(next));
    assertEquals(3, slow.size(), "jobs 17 to 19 are still pending");
  }

  /**
   * Re-listing is bounded: when every fresh listing goes stale before it can be used, a take still
   * ends, and an empty answer means the last listing, walked to its end, held nothing claimable.
   */
  @Test
  void aTakeOnAQueueWhoseJobsAreAllClaimedEndsEmptyAndClaimsNothing() throws Exception {
    WorkQueue holder = queue(WorkQueue.builder(newClient(), "/q").claimSpread(1, 0));
    WorkQueue other = queue(WorkQueue.builder(newClient(), "/q").claimSpread(1, 0));
    for (int i = 0; i < 5; i++) {
      holder.put(bytes("job" + i));
    }
    List<Job> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(holder.take(JOB).orElseThrow());
    }

    assertEquals(Optional.empty(), other.tryTakeAsync().get());

    assertEquals(0, other.claimMisses(), "claimed jobs are filtered out of the listing, not tried");
    for (Job job : held) {
      assertTrue(holder.complete(job), "every claim is still the holder's");
    }
    assertEquals(0, holder.size());
  }

  @Test
  void aFailedJobIsRequeuedWithItsAttemptCountAndDeadLetteredAfterMaxAttempts() throws Exception {
    WorkQueue queue = queue(WorkQueue.builder(newClient(), "/q").maxAttempts(2));
    queue.put(bytes("flaky"));

    Job first = queue.take(JOB).orElseThrow();
    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    Job second = queue.take(JOB).orElseThrow();
    assertEquals(1, second.attempts());
    assertEquals("flaky", text(second));
    assertEquals(FailOutcome.DEAD_LETTERED, queue.fail(second));

    assertEquals(0, queue.size());
    assertEquals(1, queue.deadLetters().size());
    assertEquals(Optional.empty(), queue.take(SHORT));
  }

  @Test
  void anOversizedJobIsRejectedAndNothingIsAdded() throws Exception {
    WorkQueue queue = queue(WorkQueue.builder(newClient(), "/q").maxJobBytes(16));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> queue.put(new byte[17]));

    assertTrue(e.getMessage().contains("exceeds the limit of 16 bytes"), e.getMessage());
    assertEquals(0, queue.size());
    queue.put(new byte[16]);
    assertEquals(1, queue.size(), "a job at the limit is accepted");
  }

  @Test
  void aFullQueueRejectsPutsAndKeepsItsJobs() throws Exception {
    WorkQueue queue = queue(WorkQueue.builder(newClient(), "/q").maxPendingJobs(2));
    queue.put(bytes("a"));
    queue.put(bytes("b"));

    assertThrows(QueueFullException.class, () -> queue.put(bytes("c")));

    assertEquals(2, queue.size());
    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      taken.add(text(queue.take(JOB).orElseThrow()));
    }
    assertEquals(List.of("a", "b"), taken.stream().sorted().toList());
  }

  /**
   * A producer reads the pending count only every {@link WorkQueue#PUTS_PER_COUNT_READ} puts while
   * the queue was under half full at its last reading; the javadoc bounds what that costs: a queue
   * filled by others meanwhile is overshot by at most that many jobs, and then puts are refused.
   */
  @Test
  void aProducerOvershootsAQueueOthersFilledByAtMostTheDocumentedBound() throws Exception {
    int max = 200;
    WorkQueue late = queue(WorkQueue.builder(newClient(), "/q").maxPendingJobs(max));
    WorkQueue busy = queue(WorkQueue.builder(newClient(), "/q").maxPendingJobs(max));
    late.put(bytes("first")); // late reads the count: empty
    for (int i = 1; i < max; i++) {
      busy.put(bytes("busy-" + i));
    }
    assertThrows(QueueFullException.class, () -> busy.put(bytes("one too many")));

    int overshoot = 0;
    while (true) {
      try {
        late.put(bytes("late-" + overshoot));
        overshoot++;
        assertTrue(overshoot < WorkQueue.PUTS_PER_COUNT_READ, "overshoot beyond the documented bound: " + overshoot);
      } catch (QueueFullException e) {
        break;
      }
    }

    assertTrue(overshoot > 0, "this test expects the unread puts to happen");
    assertEquals(max + overshoot, late.size());
  }

  @Test
  void badSettingsAreRejectedWhenBuilding() throws Exception {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class, () -> WorkQueue.builder(client, "/q").maxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> WorkQueue.builder(client, "/q").maxJobBytes(WorkQueue.MAX_JOB_BYTES + 1));
    assertThrows(IllegalArgumentException.class, () -> WorkQueue.builder(client, "/q").maxPendingJobs(WorkQueue.MAX_PENDING_JOBS + 1));
    assertThrows(CoordinationException.class, () -> WorkQueue.builder(client, "q"));
  }

  @Test
  void aWaitingTakeReturnsTheJobPutAfterItStartedWaiting() throws Exception {
    WorkQueue worker = queue(newClient());
    WorkQueue producer = queue(newClient());
    Future<Optional<Job>> taken = threads.submit(() -> worker.take(Duration.ofSeconds(10)));
    await().until(() -> worker.waitingTakes() == 1);

    producer.put(bytes("late"));

    assertEquals("late", text(taken.get().orElseThrow()));
  }

  @Test
  void aTakeThatTimesOutLeavesNoWaiterNodeBehind() throws Exception {
    Cohort client = newClient();
    WorkQueue queue = queue(client);

    assertEquals(Optional.empty(), queue.take(SHORT));

    await().until(() -> childrenOrNone(client, "/q/waiters").isEmpty());
  }

  @Test
  void aNewJobWakesAtMostTwoOfManyWaitingWorkers() throws Exception {
    int waiting = 8;
    List<WorkQueue> workers = new ArrayList<>();
    List<Future<Optional<Job>>> takes = new ArrayList<>();
    for (int i = 0; i < waiting; i++) {
      WorkQueue worker = queue(newClient());
      workers.add(worker);
      takes.add(threads.submit(() -> worker.take(Duration.ofSeconds(20))));
      await().until(() -> worker.waitingTakes() == 1);
    }
    Cohort producerClient = newClient();
    await().until(() -> childrenOrNone(producerClient, "/q/waiters").size() == waiting);
    List<Long> before = workers.stream().map(WorkQueue::watchWakeUps).toList();

    queue(producerClient).put(bytes("one"));
    await().until(() -> takes.stream().filter(Future::isDone).count() == 1);

    // Workers woken, not wake-ups: the first put into a queue creates its directories, and each
    // creation the head waiter watches wakes it again; that is one worker, not a herd.
    long woken = 0;
    for (int i = 0; i < waiting; i++) {
      woken += workers.get(i).watchWakeUps() > before.get(i) ? 1 : 0;
    }
    assertTrue(woken >= 1 && woken <= 2, "one job woke " + woken + " of " + waiting + " waiters");
  }

  // ---- issue #16: buckets, the old layout, containers -------------------------------------

  /**
   * Jobs spread over many buckets are still taken oldest first, across buckets; a requeued job goes
   * to the newest bucket; drained buckets that are not the newest are deleted.
   */
  @Test
  void jobsInManyBucketsAreTakenOldestFirstAndDrainedBucketsGo() throws Exception {
    Cohort client = newClient();
    WorkQueue queue = queue(WorkQueue.builder(client, "/q").bucketSize(4).claimSpread(1, 0));
    for (int i = 0; i < 10; i++) {
      queue.put(bytes("job" + i));
    }
    assertTrue(childrenOrNone(client, "/q/pending").size() >= 3, "ten jobs in buckets of four");
    assertEquals(10, queue.size());

    Job first = queue.take(JOB).orElseThrow();
    assertEquals("job0", text(first));
    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Job next = queue.take(JOB).orElseThrow();
      taken.add(text(next) + "/" + next.attempts());
      assertTrue(queue.complete(next));
    }
    assertEquals(Optional.empty(), queue.take(SHORT));

    assertEquals(List.of("job1/0", "job2/0", "job3/0", "job4/0", "job5/0", "job6/0", "job7/0", "job8/0", "job9/0",
        "job0/1"), taken, "oldest first across buckets, the requeued job last");
    assertEquals(0, queue.size());
    assertTrue(childrenOrNone(client, "/q/pending").size() <= 1, "only the newest bucket may stay: "
        + childrenOrNone(client, "/q/pending"));
  }

  /**
   * A queue written by versions before the buckets (one flat jobs/ directory, claims named after
   * the jobs) is drained first, oldest first, and its jobs are completed and requeued like any.
   */
  @Test
  void aQueueWrittenInTheOldFlatLayoutIsDrainedFirst() throws Exception {
    Cohort client = newClient();
    client.blocking().createWithParents("/q/jobs", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
    client.blocking().createWithParents("/q/claims", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
    for (int i = 0; i < 3; i++) {
      client.blocking().create("/q/jobs/" + QueueDecisions.JOB_PREFIX, Job.encode(0, bytes("old" + i)),
          dev.cohort.spi.CreateMode.PERSISTENT_SEQUENTIAL);
    }
    WorkQueue queue = queue(WorkQueue.builder(client, "/q").claimSpread(1, 0));
    queue.put(bytes("new0"));
    assertEquals(4, queue.size(), "the old jobs count as pending");

    Job old0 = queue.take(JOB).orElseThrow();
    assertEquals("old0", text(old0));
    assertTrue(old0.id().startsWith(QueueDecisions.JOB_PREFIX), "an old job keeps its old claim name: " + old0.id());
    assertTrue(client.blocking().exists("/q/claims/" + old0.id(), null) != null);
    assertEquals(FailOutcome.REQUEUED, queue.fail(old0));
    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Job next = queue.take(JOB).orElseThrow();
      taken.add(text(next));
      assertTrue(queue.complete(next));
    }
    assertEquals(Optional.empty(), queue.take(SHORT));

    assertEquals(List.of("old1", "old2", "new0", "old0"), taken, "the old directory first, the requeue into a bucket");
    assertEquals(List.of(), childrenOrNone(client, "/q/jobs"));
    assertEquals(0, queue.size());
  }

  /**
   * The queue's directories are containers where the backend has them: once its jobs are done and
   * its workers idle, the queue's path is gone; the queue works again afterwards.
   */
  @Test
  void anEmptiedQueuesDirectoriesGoAndComeBack() throws Exception {
    dev.cohort.tck.Requirements.requireCapability(fixture, dev.cohort.spi.Capability.CONTAINER_NODES);
    Cohort client = newClient();
    WorkQueue queue = queue(WorkQueue.builder(client, "/app/q").maxAttempts(1));
    queue.put(bytes("a"));
    queue.put(bytes("b"));
    assertTrue(queue.complete(queue.take(JOB).orElseThrow()));
    assertEquals(FailOutcome.DEAD_LETTERED, queue.fail(queue.take(JOB).orElseThrow()));
    assertEquals(Optional.empty(), queue.take(SHORT));
    client.blocking().delete("/app/q/dead/" + queue.deadLetters().get(0), -1);

    awaitGone(client, "/app/q");
    awaitGone(client, "/app");
    assertEquals(0, queue.size());
    assertEquals(List.of(), queue.deadLetters());

    WorkQueue worker = queue(WorkQueue.builder(newClient(), "/app/q"));
    Future<Optional<Job>> waiting = threads.submit(() -> worker.take(Duration.ofSeconds(20)));
    await().until(() -> worker.waitingTakes() == 1);
    queue.put(bytes("c"));
    Job again = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
    assertEquals("c", text(again));
  }

  /**
   * A take waits on a queue that has no directories yet (it watches for their creation); its
   * connection drops and comes back meanwhile: the first job put afterwards still reaches it.
   */
  @Test
  void aTakeWaitingOnAQueueWithNoDirectoriesGetsTheFirstJobAfterADisconnect() throws Exception {
    assumeTrue(fixture.supports(FaultControl.DISCONNECT), "needs DISCONNECT");
    Cohort workerClient = newClient();
    WorkQueue worker = queue(WorkQueue.builder(workerClient, "/fresh/q"));
    Future<Optional<Job>> taken = threads.submit(() -> worker.take(Duration.ofSeconds(20)));
    await().until(() -> worker.waitingTakes() == 1);
    assertEquals(List.of(), childrenOrNone(workerClient, "/fresh/q/pending"), "no bucket yet");

    fixture.disconnect(workerClient.session());
    fixture.reconnect(workerClient.session());
    await().until(() -> workerClient.connectionState().isConnected());
    queue(WorkQueue.builder(newClient(), "/fresh/q")).put(bytes("first"));

    assertEquals("first", text(taken.get(30, TimeUnit.SECONDS).orElseThrow()));
  }

  private void awaitGone(Cohort client, String path) {
    await().atMost(fixture.backgroundWorkTimeout()).pollInterval(Duration.ofMillis(20)).until(() -> {
      if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
        fixture.advanceTime(Duration.ofSeconds(1));
      }
      return client.blocking().exists(path, null) == null;
    });
  }

  // ---- regressions of issue #13 ------------------------------------------------------------

  /**
   * A lost reply on every put while a worker takes and completes jobs as fast as they come: the
   * put's create was applied, and by the time the producer looks for its node the job may already
   * be done. Each put that returned must be exactly one job (once, 193 of 200 such puts became two).
   */
  @Test
  void aPutWhoseReplyIsLostWhileAWorkerConsumesIsOneJob() throws Exception {
    lostReplyPutsAreOneJobEach(b -> b);
  }

  /** The same with buckets of three jobs: lost replies land on the puts that open new buckets too. */
  @Test
  void aPutWhoseReplyIsLostAcrossBucketsIsOneJob() throws Exception {
    lostReplyPutsAreOneJobEach(b -> b.bucketSize(3));
  }

  /** The same with delayed puts (due at once): the receipt makes each returned put one job. */
  @Test
  void aDelayedPutWhoseReplyIsLostIsOneJob() throws Exception {
    lostReplyPutsAreOneJobEach(b -> b, (queue, payload) -> queue.put(payload, Duration.ZERO));
  }

  /** How a test puts a job. */
  @FunctionalInterface
  private interface Putter {
    void put(WorkQueue queue, byte[] payload) throws Exception;
  }

  private void lostReplyPutsAreOneJobEach(java.util.function.UnaryOperator<WorkQueue.Builder> configure) throws Exception {
    lostReplyPutsAreOneJobEach(configure, WorkQueue::put);
  }

  private void lostReplyPutsAreOneJobEach(java.util.function.UnaryOperator<WorkQueue.Builder> configure, Putter putter)
      throws Exception {
    assumeTrue(fixture.supports(FaultControl.LOSE_REPLY), "needs LOSE_REPLY");
    int puts = fixture.supports(FaultControl.VIRTUAL_TIME) ? 200 : 20; // a real client reconnects after each loss
    Cohort producerClient = newClient();
    WorkQueue producer = queue(configure.apply(WorkQueue.builder(producerClient, "/q")));
    WorkQueue worker = queue(configure.apply(WorkQueue.builder(newClient(), "/q")));
    Map<String, AtomicInteger> completedPayloads = new ConcurrentHashMap<>();
    Future<?> consuming = threads.submit(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        Optional<Job> job = worker.take(SHORT);
        if (job.isPresent() && worker.complete(job.get())) {
          completedPayloads.computeIfAbsent(text(job.get()), k -> new AtomicInteger()).incrementAndGet();
        }
      }
      return null;
    });
    putter.put(producer, bytes("warm-up")); // reads the pending count: the lost replies below hit the creates
    List<String> returned = new ArrayList<>();
    List<String> thrown = new ArrayList<>();
    for (int i = 0; i < puts; i++) {
      await().until(() -> producerClient.connectionState().isConnected());
      fixture.loseNextReply(producerClient.session());
      try {
        putter.put(producer, bytes("job-" + i));
        returned.add("job-" + i);
      } catch (CoordinationException e) {
        assertTrue(e.isOutcomeUnknown(), "a put fails only with an unknown outcome here: " + e);
        thrown.add("job-" + i);
      }
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> returned.stream().allMatch(completedPayloads::containsKey));
    await().until(() -> producer.size() == 0 && delayedJobs(producerClient, "/q/delayed").isEmpty());
    consuming.cancel(true);

    List<String> duplicated = completedPayloads.entrySet().stream()
        .filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).sorted().toList();
    assertEquals(List.of(), duplicated, "puts that became more than one job");
    for (String payload : thrown) {
      assertTrue(completedPayloads.getOrDefault(payload, new AtomicInteger()).get() <= 1, payload);
    }
  }

  /**
   * Worker A's session expires while it holds a job; B takes the job and fails it, which requeues
   * it under a new name. A's complete must not report success: its claim is lost and the job is
   * still pending.
   */
  @Test
  void completeAfterTheClaimWasLostAndTheJobRequeuedReportsFalse() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort a = newClient();
    WorkQueue queueA = queue(a);
    WorkQueue queueB = queue(newClient());
    queueA.put(bytes("work"));
    Job lost = queueA.take(JOB).orElseThrow();
    long lostSession = a.sessionId();

    fixture.expire(a.session());
    Job taken = queueB.take(Duration.ofSeconds(5)).orElseThrow();
    assertEquals(FailOutcome.REQUEUED, queueB.fail(taken));
    await().until(() -> a.connectionState().isConnected() && a.sessionId() != lostSession);

    assertFalse(queueA.complete(lost), "the lost claim's completion did not take effect");
    assertEquals(1, queueB.size(), "the job is still pending");
    Job again = queueB.take(JOB).orElseThrow();
    assertEquals("work", text(again));
    assertEquals(1, again.attempts());
    assertTrue(queueB.complete(again));
  }

  /**
   * Two clients whose random sources have the same seed: protected-create ids must still differ,
   * or a put that looks for its node after a lost reply adopts the other client's job and its own
   * payload is never enqueued.
   */
  @Test
  void clientsWithTheSameRandomSeedNeverAdoptEachOthersJobs() throws Exception {
    assumeTrue(fixture.supports(FaultControl.LOSE_REPLY) && fixture.supports(FaultControl.DISCONNECT),
        "needs LOSE_REPLY and DISCONNECT");
    Cohort first = newClient(Cohort.builder(fixture.backend()).random(new Random(7)));
    Cohort second = newClient(Cohort.builder(fixture.backend()).random(new Random(7)));
    WorkQueue one = queue(first);
    WorkQueue two = queue(second);
    for (String payload : List.of("one-a", "one-b", "one-c")) {
      one.put(bytes(payload));
    }
    two.put(bytes("two-a"));
    // Refused while disconnected (not applied): after the reconnect the put looks for its node.
    fixture.disconnect(second.session());
    Thread[] putter = new Thread[1];
    Future<String> refused = threads.submit(() -> {
      putter[0] = Thread.currentThread();
      return two.put(bytes("two-b"));
    });
    await().until(() -> putter[0] != null
        && (putter[0].getState() == Thread.State.WAITING || putter[0].getState() == Thread.State.TIMED_WAITING));
    fixture.reconnect(second.session());
    refused.get(30, TimeUnit.SECONDS);
    // Applied, reply lost.
    await().until(() -> second.connectionState().isConnected());
    fixture.loseNextReply(second.session());
    two.put(bytes("two-c"));

    List<String> taken = new ArrayList<>();
    Optional<Job> job;
    while ((job = one.take(SHORT)).isPresent()) {
      taken.add(text(job.get()));
      assertTrue(one.complete(job.get()));
    }
    assertEquals(List.of("one-a", "one-b", "one-c", "two-a", "two-b", "two-c"), taken.stream().sorted().toList(),
        "every payload enqueued exactly once");
  }

  /** A completion and a requeue whose replies are lost are judged by the claim: done, once. */
  @Test
  void aCompletionOrRequeueWhoseReplyIsLostIsReportedAsDoneOnce() throws Exception {
    assumeTrue(fixture.supports(FaultControl.LOSE_REPLY), "needs LOSE_REPLY");
    Cohort client = newClient();
    WorkQueue queue = queue(client);
    queue.put(bytes("a"));
    queue.put(bytes("b"));
    Job first = queue.take(JOB).orElseThrow();
    fixture.loseNextReply(client.session());
    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    assertEquals(2, queue.size(), "requeued once");

    Job second = queue.take(JOB).orElseThrow();
    await().until(() -> client.connectionState().isConnected());
    fixture.loseNextReply(client.session());
    assertTrue(queue.complete(second));
    assertEquals(1, queue.size());
  }

  /** A job handed to another queue's complete or fail is refused, and its claim stays as it was. */
  // ---- delayed jobs -------------------------------------------------------------------------

  @Test
  void dueDelayedJobsAreTakenEarliestDueFirstAndBeforePendingJobs() throws Exception {
    WorkQueue queue = queue(newClient());
    queue.put(bytes("pending"));
    queue.put(bytes("c"), java.time.Instant.ofEpochMilli(3_000));
    queue.put(bytes("a"), java.time.Instant.ofEpochMilli(1_000));
    queue.put(bytes("b"), java.time.Instant.ofEpochMilli(2_000));

    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Job job = queue.take(JOB).orElseThrow();
      taken.add(text(job));
      assertTrue(queue.complete(job));
    }

    assertEquals(List.of("a", "b", "c", "pending"), taken);
    assertEquals(Optional.empty(), queue.take(Duration.ZERO));
  }

  @Test
  void aDelayedJobIsNotTakenBeforeItsTime() throws Exception {
    Cohort producerClient = newClient();
    WorkQueue producer = queue(producerClient);
    WorkQueue worker = queue(newClient());
    String id = producer.put(bytes("later"), Duration.ofHours(1));

    assertEquals(Optional.empty(), worker.tryTakeAsync().get(5, TimeUnit.SECONDS));
    assertEquals(Optional.empty(), worker.take(SHORT));
    assertTrue(id.startsWith("delayed-"), id);
    assertEquals(1, delayedJobs(producerClient, "/q/delayed").size(), "the job waits in delayed/");
    assertEquals(List.of(), childrenOrNone(producerClient, "/q/claims"), "nobody claimed it");
  }

  @Test
  void aFailedDelayedJobIsRequeuedAmongThePendingJobs() throws Exception {
    Cohort client = newClient();
    WorkQueue queue = queue(WorkQueue.builder(client, "/q").maxAttempts(2));
    String id = queue.put(bytes("d"), Duration.ZERO);
    Job first = queue.take(JOB).orElseThrow();
    assertEquals(id, first.id());

    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    Job second = queue.take(JOB).orElseThrow();

    assertEquals("d", text(second));
    assertEquals(1, second.attempts());
    assertEquals(List.of(), delayedJobs(client, "/q/delayed"), "requeued among the pending jobs");
    assertEquals(FailOutcome.DEAD_LETTERED, queue.fail(second));
    assertEquals(1, queue.deadLetters().size());
  }

  @Test
  void aDelayedJobOfAWorkerWhoseSessionExpiresIsTakenByAnother() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort dying = newClient();
    WorkQueue dyingQueue = queue(dying);
    Cohort survivorClient = newClient();
    WorkQueue survivor = queue(survivorClient);
    dyingQueue.put(bytes("work"), Duration.ZERO);
    Job lost = dyingQueue.take(JOB).orElseThrow();

    fixture.expire(dying.session());
    Job retaken = survivor.take(JOB).orElseThrow();

    assertEquals("work", text(retaken));
    assertEquals(lost.id(), retaken.id());
    assertTrue(retaken.fencingToken().isNewerThan(lost.fencingToken()));
    await().until(() -> dying.connectionState().isConnected() && dying.sessionId() != 0);
    assertFalse(dyingQueue.complete(lost), "the lost claim cannot complete the job");
    assertTrue(survivor.complete(retaken));
    assertEquals(List.of(), delayedJobs(survivorClient, "/q/delayed"));
  }

  @Test
  void higherPrioritiesAreTakenFirstThenEarliestDueThenPendingJobs() throws Exception {
    WorkQueue queue = queue(newClient());
    queue.put(bytes("plain"), PutOptions.defaults());
    queue.put(bytes("p1"), PutOptions.defaults().withPriority(1));
    queue.put(bytes("p9-late"), PutOptions.defaults().withPriority(9).withNotBefore(java.time.Instant.ofEpochMilli(2_000)));
    queue.put(bytes("p0-due"), PutOptions.defaults().withNotBefore(java.time.Instant.ofEpochMilli(1_000)));
    queue.put(bytes("p9-early"), PutOptions.defaults().withNotBefore(java.time.Instant.ofEpochMilli(1_000)).withPriority(9));
    queue.put(bytes("p5-future"), PutOptions.defaults().withPriority(5).withDelay(Duration.ofHours(1)));

    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Job job = queue.take(JOB).orElseThrow();
      taken.add(text(job));
      assertTrue(queue.complete(job));
    }

    assertEquals(List.of("p9-early", "p9-late", "p1", "p0-due", "plain"), taken);
    assertEquals(Optional.empty(), queue.take(Duration.ZERO), "the job due in an hour waits");
  }

  @Test
  void aFailedPrioritizedJobIsRequeuedWithItsPriority() throws Exception {
    WorkQueue queue = queue(newClient());
    queue.put(bytes("urgent"), PutOptions.defaults().withPriority(3));
    Job first = queue.take(JOB).orElseThrow();
    queue.put(bytes("plain"));
    queue.put(bytes("less urgent"), PutOptions.defaults().withPriority(2));

    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    Job again = queue.take(JOB).orElseThrow();

    assertEquals("urgent", text(again), "still ahead of lower priorities");
    assertEquals(1, again.attempts());
    assertTrue(queue.complete(again));
  }

  /**
   * Jobs due at the same moment fill several buckets of their slot (here of three jobs), in put
   * order; every one of them is taken, once.
   */
  @Test
  void delayedJobsDueAtOneMomentFillSeveralBucketsAndAreAllTakenOnce() throws Exception {
    Cohort client = newClient();
    WorkQueue queue = queue(WorkQueue.builder(client, "/q").bucketSize(3));
    java.time.Instant due = java.time.Instant.ofEpochMilli(1_000);
    Set<String> put = new java.util.HashSet<>();
    for (int i = 0; i < 10; i++) {
      queue.put(bytes("same-" + i), due);
      put.add("same-" + i);
    }
    String window = "/q/delayed/" + DelayedTree.laneName(0, 1_000) + "/" + DelayedTree.windowName(1_000);
    assertTrue(childrenOrNone(client, window).size() >= 4, "ten jobs in buckets of three: " + childrenOrNone(client, window));

    Set<String> taken = new java.util.HashSet<>();
    for (int i = 0; i < 10; i++) {
      Job job = queue.take(JOB).orElseThrow();
      assertTrue(taken.add(text(job)), "taken twice: " + text(job));
      assertTrue(queue.complete(job));
    }
    assertEquals(put, taken);
    assertEquals(Optional.empty(), queue.take(Duration.ZERO));
    assertEquals(List.of(), delayedJobs(client, "/q/delayed"));
  }

  /**
   * Jobs an older version put directly in {@code delayed/} (one flat directory) are still taken,
   * due ones before those in the tree, with the ids older versions gave them; a prioritized one
   * that fails is requeued into the tree with its priority.
   */
  @Test
  void delayedJobsOfTheOldFlatDirectoryAreStillTaken() throws Exception {
    Cohort client = newClient();
    client.blocking().createWithParents("/q/delayed", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
    String plain = Paths.name(client.blocking().create("/q/delayed/" + QueueDecisions.delayedPrefix(1_000, 0),
        Job.encode(0, bytes("old-plain")), dev.cohort.spi.CreateMode.PERSISTENT_SEQUENTIAL).path());
    String urgent = Paths.name(client.blocking().create("/q/delayed/" + QueueDecisions.delayedPrefix(2_000, 4),
        Job.encode(0, bytes("old-urgent")), dev.cohort.spi.CreateMode.PERSISTENT_SEQUENTIAL).path());
    client.blocking().create("/q/delayed/" + QueueDecisions.delayedPrefix(QueueDecisions.MAX_DUE_MILLIS, 0),
        Job.encode(0, bytes("old-far")), dev.cohort.spi.CreateMode.PERSISTENT_SEQUENTIAL);
    WorkQueue queue = queue(WorkQueue.builder(client, "/q").maxAttempts(3));
    queue.put(bytes("new"), java.time.Instant.ofEpochMilli(500));

    Job first = queue.take(JOB).orElseThrow();
    assertEquals("old-urgent", text(first), "the old directory's due jobs first, by priority");
    assertEquals("delayed-" + urgent, first.id(), "named as older versions named it");
    assertEquals(FailOutcome.REQUEUED, queue.fail(first));
    Job second = queue.take(JOB).orElseThrow();
    assertEquals("old-plain", text(second));
    assertEquals("delayed-" + plain, second.id());
    assertTrue(queue.complete(second));
    Job third = queue.take(JOB).orElseThrow();
    assertEquals("old-urgent", text(third), "requeued with its priority, ahead of the plain new job");
    assertEquals(1, third.attempts());
    assertTrue(third.id().startsWith("delayed-p4-"), "requeued into the tree: " + third.id());
    assertTrue(queue.complete(third));
    Job fourth = queue.take(JOB).orElseThrow();
    assertEquals("new", text(fourth));
    assertTrue(queue.complete(fourth));
    assertEquals(Optional.empty(), queue.take(Duration.ZERO), "the far one waits");
    assertEquals(1, delayedJobs(client, "/q/delayed").size());
  }

  @Test
  void badDelayedPutsAreRejectedAndWriteNothing() throws Exception {
    Cohort client = newClient();
    WorkQueue queue = queue(WorkQueue.builder(client, "/q").maxJobBytes(16));
    assertThrows(IllegalArgumentException.class, () -> queue.put(bytes("x"), Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> queue.put(bytes("x"), java.time.Instant.ofEpochMilli(-1)));
    assertThrows(IllegalArgumentException.class, () -> queue.put(bytes("x"), java.time.Instant.MAX));
    assertThrows(IllegalArgumentException.class,
        () -> queue.put(bytes("x"), java.time.Instant.ofEpochMilli(QueueDecisions.MAX_DUE_MILLIS + 1)));
    assertThrows(IllegalArgumentException.class, () -> queue.put(bytes("x"), Duration.ofDays(400 * 365L)),
        "beyond the year 2286");
    assertThrows(IllegalArgumentException.class, () -> queue.put(bytes("x"), Duration.ofSeconds(Long.MAX_VALUE)));
    assertThrows(IllegalArgumentException.class, () -> queue.put(new byte[17], Duration.ZERO));
    assertThrows(NullPointerException.class, () -> queue.put(bytes("x"), (Duration) null));
    assertThrows(NullPointerException.class, () -> queue.put(bytes("x"), (java.time.Instant) null));
    assertThrows(IllegalArgumentException.class, () -> PutOptions.defaults().withPriority(-1));
    assertThrows(IllegalArgumentException.class, () -> PutOptions.defaults().withPriority(PutOptions.MAX_PRIORITY + 1));
    assertThrows(IllegalArgumentException.class,
        () -> queue.put(new byte[17], PutOptions.defaults().withPriority(PutOptions.MAX_PRIORITY)));
    assertThrows(NullPointerException.class, () -> queue.put(bytes("x"), (PutOptions) null));

    assertEquals(List.of(), childrenOrNone(client, "/q"), "nothing was written");
  }

  @Test
  void aJobFromAnotherQueueIsRefusedAndStaysClaimed() throws Exception {
    Cohort client = newClient();
    WorkQueue mine = queue(WorkQueue.builder(client, "/q"));
    WorkQueue other = queue(WorkQueue.builder(client, "/other"));
    mine.put(bytes("work"));
    other.put(bytes("elsewhere"));
    Job job = mine.take(JOB).orElseThrow();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.complete(job));
    assertTrue(e.getMessage().contains("/q") && e.getMessage().contains("/other"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> other.fail(job));
    assertThrows(IllegalArgumentException.class, () -> other.completeAsync(job));

    assertEquals(1, other.size(), "the other queue's job is untouched");
    assertEquals(Optional.empty(), newQueueOn("/q").tryTakeAsync().get(), "the job is still claimed");
    assertTrue(mine.complete(job), "and its claim is still the holder's");
    assertEquals(0, mine.size());
  }

  /**
   * A job handed back with effect cannot be handed back again: its claim is over, and a second
   * completion could not tell its own transaction from the first (nor a requeue from a completion).
   */
  @Test
  void aJobAlreadyCompletedOrRequeuedIsRefused() throws Exception {
    WorkQueue queue = queue(newClient());
    queue.put(bytes("a"));
    queue.put(bytes("b"));
    Job done = queue.take(JOB).orElseThrow();
    assertTrue(queue.complete(done));
    Job requeued = queue.take(JOB).orElseThrow();
    assertEquals(FailOutcome.REQUEUED, queue.fail(requeued));

    assertThrows(IllegalStateException.class, () -> queue.complete(done));
    assertThrows(IllegalStateException.class, () -> queue.fail(done));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.complete(requeued));
    assertTrue(e.getMessage().contains("requeued"), e.getMessage());

    assertEquals(1, queue.size(), "the requeued job is still pending");
  }

  private WorkQueue newQueueOn(String path) throws InterruptedException {
    return queue(WorkQueue.builder(newClient(), path));
  }

  /**
   * A protected create of a job reports the node it made: its czxid (the put's fencing token) is
   * the job node's own, even though the create went in one transaction with its receipt.
   */
  @Test
  void aPersistentProtectedCreateReportsItsNodesCreationZxid() throws Exception {
    Cohort client = newClient();
    client.blocking().createWithParents("/p", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
    dev.cohort.recipes.OwnedNode node = client.blocking()
        .createProtected("/p", "n-", bytes("x"), dev.cohort.spi.CreateMode.PERSISTENT_SEQUENTIAL);
    assertEquals(client.blocking().exists(node.path(), null).czxid(), node.czxid());
    assertEquals(List.of(node.name()), client.blocking().getChildren("/p", null).names());
  }

  /**
   * 1000 jobs, 3 workers, workers killed (session expired, or client closed and replaced) at
   * random moments: every job completes, and the duplicates that at-least-once allows are counted.
   * A completion cut off by its session's expiry, or by the kill of its worker (interrupted, its
   * client closed, perhaps after the transaction applied), has an unknown outcome; such a job
   * counts as done once the queue drains, since a completion that did not apply leaves the job
   * pending for another worker once the claim's session ends.
   */
  @Test
  void everyJobCompletesWhileWorkersAreKilledAndRestarted() throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    int jobs = 1000;
    WorkQueue producer = queue(newClient());
    for (int i = 0; i < jobs; i++) {
      producer.put(bytes("job-" + i));
    }
    Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    Map<String, Boolean> completed = new ConcurrentHashMap<>();
    List<Worker> workers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 3; i++) {
      workers.add(startWorker(i, processed, completed));
    }
    Random random = new Random(4242);
    int kills = 0;
    for (int milestone = 80; milestone < jobs; milestone += 80 + random.nextInt(60)) {
      int target = milestone;
      await().atMost(Duration.ofSeconds(30)).until(() -> completed.size() >= target);
      int index = random.nextInt(workers.size());
      Worker victim = workers.get(index);
      if (random.nextBoolean()) {
        fixture.expire(victim.client.session()); // the client comes back with a new session
      } else {
        victim.stop();
        workers.set(index, startWorker(100 + kills, processed, completed));
      }
      kills++;
    }
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> completed.size() == jobs && producer.size() == 0);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      describeStall(workers, completed.size());
      throw e;
    }
    workers.forEach(Worker::stop);

    assertEquals(jobs, completed.size());
    assertEquals(0, producer.size(), "no job left pending");
    assertTrue(producer.deadLetters().isEmpty());
    int duplicates = processed.values().stream().mapToInt(c -> c.get() - 1).sum();
    assertEquals(jobs, processed.size(), "every job was processed");
    long unknown = completed.values().stream().filter(definite -> !definite).count();
    System.out.printf("work queue chaos: %d jobs, %d kills, %d of %d completed (%d reported outcome-unknown), %d duplicate deliveries%n",
        jobs, kills, completed.size(), jobs, unknown, duplicates);
  }

  /** What a stalled chaos run looks like: the jobs left, their claims and owners, the workers. */
  private void describeStall(List<Worker> workers, int completed) throws InterruptedException {
    Cohort observer = newClient();
    StringBuilder out = new StringBuilder("chaos run stalled at " + completed + " completed\n");
    for (String bucket : childrenOrNone(observer, "/q/pending")) {
      for (String job : childrenOrNone(observer, "/q/pending/" + bucket)) {
        dev.cohort.spi.Stat claim = observer.blocking().exists("/q/claims/" + bucket + "-" + job, null);
        out.append("  job ").append(bucket).append('/').append(job).append(" claim owner ")
            .append(claim == null ? "none" : Long.toHexString(claim.ephemeralOwner())).append('\n');
      }
    }
    for (Worker w : workers) {
      out.append("  worker session ").append(Long.toHexString(w.client.sessionId())).append(' ')
          .append(w.client.connectionState()).append(" loop done ").append(w.loop.isDone()).append('\n');
    }
    Thread.getAllStackTraces().forEach((t, stack) -> {
      if (t.getName().startsWith("pool-")) {
        out.append("  thread ").append(t.getName()).append(' ').append(t.getState()).append('\n');
        for (int i = 0; i < Math.min(stack.length, 25); i++) {
          out.append("      at ").append(stack[i]).append('\n');
        }
      }
    });
    System.out.println(out);
  }

  private final class Worker {
    final Cohort client;
    final WorkQueue queue;
    volatile boolean running = true;
    Future<?> loop;

    Worker(Cohort client, WorkQueue queue) {
      this.client = client;
      this.queue = queue;
    }

    void stop() {
      running = false;
      loop.cancel(true);
      client.close();
    }
  }

  private Worker startWorker(int index, Map<String, AtomicInteger> processed, Map<String, Boolean> completed)
      throws InterruptedException {
    Cohort client = newClient();
    Worker worker = new Worker(client, queue(WorkQueue.builder(client, "/q").claimSpread(3, index)));
    worker.loop = threads.submit(() -> {
      while (worker.running) {
        try {
          Optional<Job> job = worker.queue.take(SHORT);
          if (job.isEmpty()) {
            continue;
          }
          String id = text(job.get());
          processed.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          try {
            if (worker.queue.complete(job.get())) {
              completed.put(id, true);
            }
          } catch (InterruptedException | RuntimeException e) {
            if (e instanceof CoordinationException ce && ce.isOutcomeUnknown() || !worker.running) {
              // Killed while completing: its session ended with the outcome unknown (the job node
              // gone: done by this claim, or requeued or completed by a later claimant), or it was
              // stopped (interrupted, its client closed) with its transaction perhaps applied. The
              // queue must still drain (checked at the end): a completion that did not apply left
              // the job pending for another worker once the claim's session ended.
              completed.putIfAbsent(id, false);
            }
            throw e;
          }
        } catch (CoordinationException | IllegalStateException e) {
          // killed under our feet: the client reconnects with a new session, or we were stopped
        } catch (InterruptedException e) {
          return null;
        }
      }
      return null;
    });
    return worker;
  }
}
