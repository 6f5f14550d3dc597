package dev.cohort.testing.soak;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.recipes.queue.FailOutcome;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.testing.CohortFixture;
import dev.cohort.testing.LeadershipHistory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak of the work queue, locks, a leader latch and the partition claimer together on a
 * three-replica backend, under a fault mix chosen from a seed: session expiry, disconnects, lost
 * replies, session moves, leader and follower crashes, leader isolation, partitions, workers
 * killed mid-job (an abrupt close, or a {@linkplain CohortFixture#crash crash} and restart), and workers paused between
 * their work and their {@code complete()} while their session expires. Producers and lockers pace
 * themselves on the fault steps (no sleeps), so the work spreads over the whole schedule. It checks
 * the guarantees with its own histories:
 * <ul>
 *   <li>the queue ({@link QueueLedger}): every job whose put returned is completed or
 *       dead-lettered; one returned put is one job; {@code complete()} true only when the claim's
 *       completion took effect;
 *   <li>locks, the latch and each partition ({@link LeadershipHistory}): at most one owner per
 *       moment among owners with valid sessions, judged by fencing tokens, and tokens that grow.
 *       Sessions the schedule ends are recorded as ended before the fault; a session that ends
 *       without the schedule ending it is recorded when its client reports it lost, and counted.
 * </ul>
 *
 * <p>Bounded: {@value #DEFAULT_SECONDS} s of faults by default, then a drain of at most {@link
 * #DRAIN}. {@code -Dcohort.soak.seconds=600} runs longer, {@code -Dcohort.soak.seed=N} replays a
 * seed's fault schedule and worker decisions on the same code (threads still interleave
 * differently on real time). A loop still running once the faults are healed and the queue is
 * drained is reported with its stack, as a violation.
 * The seed, the replay command and the figures are printed at the end, whatever the outcome.
 */
class ReplicatedSoakTest {
  private static final long DEFAULT_SECONDS = 45;
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final String QUEUE = "/soak/queue";
  private static final String ELECTION = "/soak/leader";
  private static final String PARTITIONS = "/soak/partitions";
  private static final List<String> LOCKS = List.of("/soak/locks/a", "/soak/locks/b");
  private static final int PRODUCERS = 2;
  private static final int WORKERS = 4;
  private static final int LOCKERS = 3;
  private static final int PARTICIPANTS = 3;
  private static final int MEMBERS = 3;
  private static final int PARTITION_COUNT = 6;
  private static final int MAX_ATTEMPTS = 3;
  /** Jobs each producer puts per fault step, at most: the puts spread over the whole schedule. */
  private static final int JOBS_PER_STEP = 6;
  /** Lock holds each locker takes per fault step, at most. */
  private static final int HOLDS_PER_STEP = 20;
  /** Jobs put and not yet finished, at most: producers keep pace with the workers. */
  private static final int BACKLOG = 40;
  /** Mean pause between two faults; a fault is undone before the next one starts. */
  private static final long PACE_MILLIS = 600;

  private final long seed = Long.getLong("cohort.soak.seed", new SplittableRandom().nextLong());
  private final long seconds = Long.getLong("cohort.soak.seconds", DEFAULT_SECONDS);

  private CohortFixture fixture;
  private ExecutorService threads;
  private ScheduledExecutorService schedule;
  /** Whether the fault schedule still runs: producers and lockers stop with it. */
  private final AtomicBoolean faultPhase = new AtomicBoolean(true);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Future<?>> loops = new CopyOnWriteArrayList<>();
  private final List<Future<?>> producers = new CopyOnWriteArrayList<>();

  private final QueueLedger ledger = new QueueLedger();
  private final Semaphore backlog = new Semaphore(BACKLOG);
  /** Fault steps begun; producers and lockers pace themselves on it. */
  private final Progress steps = new Progress();

  /** A count that threads can wait on (bounded), instead of sleeping. */
  private static final class Progress {
    private int value; // guarded by this

    synchronized void advance() {
      value++;
      notifyAll();
    }

    synchronized void finish() {
      value = Integer.MAX_VALUE;
      notifyAll();
    }

    /** Waits up to {@code timeoutMillis} for the count to reach {@code target}; whether it has. */
    synchronized boolean awaitAtLeast(long target, long timeoutMillis) throws InterruptedException {
      if (value < target) {
        wait(timeoutMillis);
      }
      return value >= target;
    }
  }
  private final Map<String, LeadershipHistory> histories = new ConcurrentHashMap<>();
  private final Set<Long> endedByFault = ConcurrentHashMap.newKeySet();
  private final AtomicInteger unplannedSessionEnds = new AtomicInteger();
  private final Map<String, AtomicInteger> faultCounts = new TreeMap<>();
  private final AtomicInteger faultsSkipped = new AtomicInteger();
  private final AtomicInteger recipeErrors = new AtomicInteger();
  private final AtomicInteger workErrors = new AtomicInteger();
  private final AtomicInteger lockHolds = new AtomicInteger();

  /** Everything that owns a session: a name, its client, and whether a fault killed it. */
  private final class Actor {
    final String name;
    final Cohort client;
    final String role;
    volatile long sessionId;
    volatile boolean killed;
    /** Set by the schedule to pause this worker between its work and its complete(). */
    volatile CompletableFuture<Void> pause;
    /** Completed by the worker when it has stopped at a requested pause. */
    volatile CompletableFuture<Void> paused;
    /** A participant's latch. */
    volatile LeaderLatch latch;

    Actor(String name, String role) {
      this(name, role, fixture.newClient(b -> b.sessionTimeout(SESSION_TIMEOUT)));
    }

    Actor(String name, String role, Cohort client) {
      this.name = name;
      this.role = role;
      this.client = client;
      this.sessionId = client.sessionId();
      client.addConnectionStateListener((c, state) -> {
        if (state == ConnectionState.LOST) {
          long ended = sessionId;
          if (!endedByFault.contains(ended)) {
            unplannedSessionEnds.incrementAndGet();
            sessionEnded(ended);
          }
        } else if (state.isConnected()) {
          sessionId = c.sessionId();
        }
      });
    }
  }

  private final List<Actor> actors = new CopyOnWriteArrayList<>();
  private final List<Actor> workers = new CopyOnWriteArrayList<>();
  private final AtomicInteger workerNames = new AtomicInteger();
  private final List<AutoCloseable> recipes = new CopyOnWriteArrayList<>();
  /** Replica faults undone at the end, whatever happened. */
  private final Set<Integer> crashed = ConcurrentHashMap.newKeySet();
  private final Set<Actor> disconnected = ConcurrentHashMap.newKeySet();

  @AfterEach
  void tearDown() throws Exception {
    running.set(false);
    faultPhase.set(false);
    if (schedule != null) {
      schedule.shutdownNow();
      schedule.awaitTermination(30, TimeUnit.SECONDS);
    }
    if (threads != null) {
      threads.shutdownNow();
      threads.awaitTermination(30, TimeUnit.SECONDS);
    }
    for (AutoCloseable r : recipes) {
      try {
        r.close();
      } catch (RuntimeException e) {
        // a recipe on a killed client: nothing left to release
      }
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private LeadershipHistory history(String name) {
    return histories.computeIfAbsent(name, LeadershipHistory::new);
  }

  /** Every history learns that a session is over: its terms ended with it. */
  private void sessionEnded(long sessionId) {
    histories.values().forEach(h -> h.sessionEnded(sessionId));
  }

  private ReplicatedBackend backend() {
    return (ReplicatedBackend) fixture.backend();
  }

  @Test
  void queueLocksLatchAndPartitionsKeepTheirGuaranteesUnderFaults() throws Exception {
    fixture = CohortFixture.replicated(3);
    threads = Executors.newCachedThreadPool();
    schedule = Executors.newSingleThreadScheduledExecutor();
    for (String lock : LOCKS) {
      history("lock " + lock);
    }
    history("latch " + ELECTION);
    for (int p = 0; p < PARTITION_COUNT; p++) {
      history("partition p" + p);
    }
    Actor admin = new Actor("admin", "admin");
    for (int p = 0; p < PARTITION_COUNT; p++) {
      PartitionClaimer.definePartition(admin.client, PARTITIONS, "p" + p, new byte[0]);
    }
    WorkQueue observer = WorkQueue.builder(admin.client, QUEUE).maxAttempts(MAX_ATTEMPTS).build();
    recipes.add(observer);

    for (int i = 0; i < PRODUCERS; i++) {
      startProducer("producer" + i);
    }
    for (int i = 0; i < WORKERS; i++) {
      startWorker();
    }
    for (int i = 0; i < LOCKERS; i++) {
      startLocker("locker" + i, new Random(seed + 1000 + i));
    }
    for (int i = 0; i < PARTICIPANTS; i++) {
      startParticipant("participant" + i);
    }
    for (int i = 0; i < MEMBERS; i++) {
      startMember("member" + i);
    }

    int stepCount = (int) (seconds * 1000 / PACE_MILLIS);
    CompletableFuture<Void> faultsDone = new CompletableFuture<>();
    Random faultRandom = new Random(seed);
    schedule.schedule(() -> faultStep(faultRandom, 0, stepCount, faultsDone), PACE_MILLIS, TimeUnit.MILLISECONDS);

    String outcome = "incomplete";
    try {
      faultsDone.get(seconds + 120, TimeUnit.SECONDS);
      faultPhase.set(false);
      for (Future<?> producer : producers) {
        producer.get(60, TimeUnit.SECONDS);
      }
      // Drain: the workers finish every job (requeues included: a fail moves a job in one transaction).
      await().atMost(DRAIN).pollInterval(Duration.ofMillis(200)).until(() -> observer.size() == 0);
      running.set(false);
      awaitLoops();
      for (String id : observer.deadLetters()) {
        NodeData data = admin.client.blocking().getData(QUEUE + "/dead/" + id, null);
        ledger.deadLettered(payloadOf(data.data()));
      }
      ledger.settleUnknownCompletions();
      outcome = "checked";
    } catch (Exception | AssertionError e) {
      outcome = "incomplete: " + e;
    } finally {
      List<String> violations = violations();
      report(outcome, violations);
      assertEquals("checked", outcome);
      assertTrue(ledger.returnedPuts() > 0, "the soak put jobs");
      assertTrue(lockHolds.get() > 0, "the soak held locks");
      assertEquals(List.of(), violations, "violations (seed " + seed + ")");
    }
  }

  // ---- the fault schedule ------------------------------------------------------------------

  private enum FaultKind {
    EXPIRE, DISCONNECT, LOSE_REPLY, MOVE_SESSION, KILL_WORKER_CLOSE, KILL_WORKER_CRASH,
    PAUSE_WORKER_AND_EXPIRE, CRASH_LEADER, CRASH_FOLLOWER, ISOLATE_LEADER, PARTITION
  }

  /** The mix: session faults more often than replica faults, lost replies most (puts are hit by them). */
  private static final List<FaultKind> MIX = List.of(
      FaultKind.EXPIRE, FaultKind.EXPIRE, FaultKind.DISCONNECT, FaultKind.DISCONNECT,
      FaultKind.LOSE_REPLY, FaultKind.LOSE_REPLY, FaultKind.LOSE_REPLY, FaultKind.MOVE_SESSION,
      FaultKind.KILL_WORKER_CLOSE, FaultKind.KILL_WORKER_CRASH, FaultKind.PAUSE_WORKER_AND_EXPIRE,
      FaultKind.PAUSE_WORKER_AND_EXPIRE, FaultKind.CRASH_LEADER,
      FaultKind.CRASH_FOLLOWER, FaultKind.ISOLATE_LEADER, FaultKind.PARTITION);
  private static final List<String> ROLES = List.of("producer", "worker", "locker", "participant", "member");

  /** One fault, its undo after {@code hold} ms (always before the next step), and the next step. */
  private void faultStep(Random random, int step, int steps, CompletableFuture<Void> done) {
    if (step >= steps || !running.get()) {
      healAll();
      this.steps.finish();
      done.complete(null);
      return;
    }
    this.steps.advance();
    FaultKind kind = MIX.get(random.nextInt(MIX.size()));
    long pause = PACE_MILLIS / 2 + random.nextInt((int) PACE_MILLIS);
    long hold = pause / 2;
    int pick = random.nextInt(Integer.MAX_VALUE);
    int replicaPick = random.nextInt(3);
    try {
      Runnable undo = inject(kind, pick, replicaPick);
      count(kind.name());
      if (undo != null) {
        schedule.schedule(() -> guarded(undo), hold, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      // e.g. no leader to expire a session right now: the step is skipped, not retried
      faultsSkipped.incrementAndGet();
    }
    schedule.schedule(() -> faultStep(random, step + 1, steps, done), pause, TimeUnit.MILLISECONDS);
  }

  private synchronized void count(String kind) {
    faultCounts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  private void guarded(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      faultsSkipped.incrementAndGet();
    }
  }

  /** Whose turn it is to be hit by a session fault; used on the schedule's thread only. */
  private int roleTurn;

  /** Injects a fault; returns what undoes it, or null. */
  private Runnable inject(FaultKind kind, int pick, int replicaPick) {
    // Session faults take the roles in turn, so every recipe sees them; the seed picks the actor.
    String role = ROLES.get(roleTurn++ % ROLES.size());
    List<Actor> live = actors.stream().filter(a -> !a.killed && a.role.equals(role)).toList();
    Actor picked = live.get(pick % live.size());
    // A participant fault hits the leader half the time: that is what ends a term and starts the next.
    Actor target = role.equals("participant") && pick % 2 == 0
        ? live.stream().filter(a -> a.latch != null && a.latch.hasLeadership()).findFirst().orElse(picked)
        : picked;
    switch (kind) {
      case EXPIRE -> {
        long id = target.client.sessionId();
        endedByFault.add(id);
        sessionEnded(id); // recorded before the fault: no successor can come before it
        fixture.expire(target.client);
        return null;
      }
      case DISCONNECT -> {
        fixture.disconnect(target.client);
        disconnected.add(target);
        return () -> {
          disconnected.remove(target);
          fixture.reconnect(target.client);
        };
      }
      case LOSE_REPLY -> {
        // Producers first half the time: a lost reply on a put is where one put became two jobs.
        List<Actor> producers = actors.stream().filter(a -> !a.killed && a.role.equals("producer")).toList();
        Actor victim = pick % 2 == 0 ? producers.get(pick / 2 % producers.size()) : target;
        fixture.loseNextReply(victim.client);
        return null;
      }
      case MOVE_SESSION -> {
        int from = backend().faults().replicaOf(target.client.session());
        backend().faults().moveSession(target.client.session(), (from + replicaPick % 2) % 3 + 1);
        return null;
      }
      case PAUSE_WORKER_AND_EXPIRE -> {
        // A worker stalls (a long GC pause) between its work and its complete(); its session
        // expires meanwhile and another worker may take the job and fail it. Resumed, its
        // complete() must not report a completion that did not take effect.
        List<Actor> liveWorkers = workers.stream().filter(a -> !a.killed).toList();
        Actor worker = liveWorkers.get(pick % liveWorkers.size());
        CompletableFuture<Void> resume = new CompletableFuture<>();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        worker.paused = stopped;
        worker.pause = resume;
        try {
          stopped.get(2, TimeUnit.SECONDS); // the worker reaches the pause with its next job
        } catch (Exception e) {
          worker.pause = null;
          resume.complete(null);
          throw new IllegalStateException("the worker took no job in time", e);
        }
        long id = worker.client.sessionId();
        endedByFault.add(id);
        sessionEnded(id);
        fixture.expire(worker.client);
        return () -> resume.complete(null);
      }
      case KILL_WORKER_CLOSE, KILL_WORKER_CRASH -> {
        List<Actor> liveWorkers = workers.stream().filter(a -> !a.killed).toList();
        Actor worker = liveWorkers.get(pick % liveWorkers.size());
        worker.killed = true;
        long id = worker.client.sessionId();
        endedByFault.add(id);
        sessionEnded(id);
        if (kind == FaultKind.KILL_WORKER_CRASH) {
          // A crashed process: cut off mid-job, its session left to time out at the service; the
          // process is restarted (a new client and session) while the old session still lives.
          fixture.crash(worker.client);
          replaceWorker(() -> fixture.restart(worker.client));
        } else {
          worker.client.close(); // an abrupt close: the session ends at once
          replaceWorker(() -> fixture.newClient(b -> b.sessionTimeout(SESSION_TIMEOUT)));
        }
        return null;
      }
      case CRASH_LEADER, CRASH_FOLLOWER -> {
        int leader = fixture.awaitLeader();
        int replica = kind == FaultKind.CRASH_LEADER ? leader : (leader + replicaPick % 2) % 3 + 1;
        fixture.crashReplica(replica);
        crashed.add(replica);
        return () -> {
          fixture.restartReplica(replica);
          crashed.remove(replica);
        };
      }
      case ISOLATE_LEADER -> {
        fixture.isolateLeader();
        return fixture::heal;
      }
      case PARTITION -> {
        int alone = replicaPick + 1;
        fixture.partition(new int[] {alone}, IntStream.rangeClosed(1, 3).filter(r -> r != alone).toArray());
        return fixture::heal;
      }
      default -> throw new AssertionError(kind);
    }
  }

  private void healAll() {
    guarded(fixture::heal);
    for (int replica : List.copyOf(crashed)) {
      guarded(() -> fixture.restartReplica(replica));
      crashed.remove(replica);
    }
    for (Actor a : List.copyOf(disconnected)) {
      guarded(() -> fixture.reconnect(a.client));
      disconnected.remove(a);
    }
  }

  // ---- the actors --------------------------------------------------------------------------

  private Actor actor(String name, String role) {
    Actor actor = new Actor(name, role);
    actors.add(actor);
    return actor;
  }

  /** The thread of each running loop, by actor name: dumped if a loop does not end. */
  private final Map<String, Thread> loopThreads = new ConcurrentHashMap<>();
  /** Loops that did not end after the faults were healed, with where they were stuck. */
  private final List<String> stuck = new CopyOnWriteArrayList<>();

  /** Waits (bounded) for every loop to end; a loop that does not is reported, not waited for. */
  private void awaitLoops() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Future<?> loop : loops) {
      try {
        loop.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // reported below with the thread's stack
      } catch (java.util.concurrent.ExecutionException e) {
        recipeErrors.incrementAndGet();
      }
    }
    loopThreads.forEach((name, thread) -> {
      StackTraceElement[] stack = thread.getStackTrace();
      StringBuilder where = new StringBuilder(name + " still running 60 s after the faults were healed ("
          + describe(name) + "), at:");
      for (int i = 0; i < Math.min(14, stack.length); i++) {
        where.append("\n      ").append(stack[i]);
      }
      stuck.add(where.toString());
    });
  }

  /** The client and session state of an actor, for a stuck loop's report. */
  private String describe(String name) {
    return actors.stream().filter(a -> a.name.equals(name)).findFirst().map(a -> {
      try {
        return "client " + a.client.connectionState() + ", session 0x" + Long.toHexString(a.client.sessionId())
            + " " + a.client.session().state() + " on replica " + backend().faults().replicaOf(a.client.session())
            + (endedByFault.contains(a.sessionId) ? ", its session was expired by a fault" : "");
      } catch (RuntimeException e) {
        return "state unreadable: " + e;
      }
    }).orElse("unknown actor");
  }

  private Future<?> loop(Actor actor, ThrowingStep step) {
    Future<?> loop = threads.submit(() -> {
      loopThreads.put(actor.name, Thread.currentThread());
      try {
        return runLoop(actor, step);
      } finally {
        loopThreads.remove(actor.name);
      }
    });
    loops.add(loop);
    return loop;
  }

  private Object runLoop(Actor actor, ThrowingStep step) throws Exception {
    while (running.get() && !actor.killed) {
      try {
        if (!step.run()) {
          return null;
        }
      } catch (CoordinationException | IllegalStateException e) {
        if (actor.killed || !running.get()) {
          return null;
        }
        recipeErrors.incrementAndGet();
      }
    }
    return null;
  }

  @FunctionalInterface
  private interface ThrowingStep {
    /** One round; false ends the loop. */
    boolean run() throws Exception;
  }

  private void startProducer(String name) throws InterruptedException {
    Actor actor = actor(name, "producer");
    WorkQueue queue = WorkQueue.builder(actor.client, QUEUE).maxAttempts(MAX_ATTEMPTS).build();
    recipes.add(queue);
    AtomicInteger next = new AtomicInteger();
    producers.add(loop(actor, () -> {
      if (!faultPhase.get()) {
        return false;
      }
      if (!steps.awaitAtLeast(next.get() / JOBS_PER_STEP, 200)) {
        return true; // this step's puts are done
      }
      if (!backlog.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        return true; // workers behind (or cut off): wait for a finished job
      }
      String payload = name + "-" + next.getAndIncrement();
      ledger.putStarted(payload);
      try {
        queue.put(payload.getBytes(StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        ledger.putFailed(payload);
        backlog.release();
        throw e;
      }
      ledger.putReturned(payload);
      return true;
    }));
  }

  private void startWorker() throws InterruptedException {
    startWorker(fixture.newClient(b -> b.sessionTimeout(SESSION_TIMEOUT)));
  }

  private void startWorker(Cohort client) throws InterruptedException {
    String name = "worker" + workerNames.getAndIncrement();
    Actor actor = new Actor(name, "worker", client);
    actors.add(actor);
    workers.add(actor);
    WorkQueue queue = WorkQueue.builder(actor.client, QUEUE).maxAttempts(MAX_ATTEMPTS).build();
    recipes.add(queue);
    String scratch = "/soak/work/" + name;
    loop(actor, () -> {
      Optional<Job> taken = queue.take(Duration.ofMillis(300));
      if (taken.isEmpty()) {
        return true;
      }
      Job job = taken.get();
      String payload = new String(job.payload(), StandardCharsets.UTF_8);
      ledger.taken(payload, job.id(), job.attempts(), name);
      work(actor, scratch, job);
      CompletableFuture<Void> pause = actor.pause;
      if (pause != null) {
        actor.pause = null;
        actor.paused.complete(null);
        try {
          pause.get(30, TimeUnit.SECONDS); // resumed by the schedule (bounded: a lost resume ends it)
        } catch (java.util.concurrent.TimeoutException e) {
          recipeErrors.incrementAndGet();
        }
      }
      if (failsThisAttempt(payload, job.attempts(), name)) {
        FailOutcome outcome;
        try {
          outcome = queue.fail(job);
        } catch (RuntimeException e) {
          ledger.failed(payload, job.id(), name, e);
          throw e;
        }
        ledger.failed(payload, job.id(), name, outcome);
        if (outcome == FailOutcome.REQUEUED) {
          ledger.requeued();
        } else if (outcome == FailOutcome.DEAD_LETTERED) {
          backlog.release();
        }
      } else {
        boolean done;
        try {
          done = queue.complete(job);
        } catch (RuntimeException e) {
          ledger.completionUnknown(payload); // e.g. killed mid-complete: it may have taken effect
          throw e;
        }
        ledger.completed(payload, job.id(), job.attempts(), name, done);
        if (done) {
          backlog.release();
        }
      }
      return true;
    });
  }

  /**
   * Starts a worker in place of a killed one, on a client from {@code newClient}, off the
   * schedule's thread (a new session may take a while).
   */
  private void replaceWorker(java.util.function.Supplier<Cohort> newClient) {
    threads.submit(() -> {
      boolean first = true;
      while (running.get()) {
        try {
          // A restart is made once; if it failed (no quorum for a session yet), a plain new client.
          boolean restart = first;
          first = false;
          Cohort client = restart ? newClient.get() : fixture.newClient(b -> b.sessionTimeout(SESSION_TIMEOUT));
          startWorker(client);
          return null;
        } catch (RuntimeException e) {
          recipeErrors.incrementAndGet(); // no quorum to open a session yet: try again
        }
      }
      return null;
    });
  }

  /**
   * The work: a few writes of the service (how many is decided from the seed), so that faults fall
   * between take and complete. A failed write does not stop the worker from completing: the work
   * stands for something outside the service, and a worker whose session expired meanwhile must
   * still be told the truth by {@code complete()}.
   */
  private void work(Actor actor, String scratch, Job job) throws InterruptedException {
    int writes = 1 + new SplittableRandom(seed ^ job.id().hashCode()).nextInt(4);
    for (int i = 0; i < writes; i++) {
      try {
        try {
          actor.client.blocking().setData(scratch, job.payload(), -1);
        } catch (NoNodeException e) {
          actor.client.blocking().createWithParents(scratch, job.payload(), CreateMode.PERSISTENT);
        }
      } catch (CoordinationException e) {
        workErrors.incrementAndGet();
      }
    }
  }

  /** Whether a worker fails this attempt of this job: decided from the seed, not by the thread. */
  private boolean failsThisAttempt(String payload, int attempts, String worker) {
    return new SplittableRandom(seed ^ (payload.hashCode() * 961L + attempts * 31L + worker.hashCode())).nextInt(100) < 20;
  }

  private void startLocker(String name, Random random) {
    Actor actor = actor(name, "locker");
    List<DistributedLock> locks = new ArrayList<>();
    Map<Long, Long> sessionOfToken = new ConcurrentHashMap<>();
    for (String path : LOCKS) {
      DistributedLock lock = new DistributedLock(actor.client, path);
      LeadershipHistory history = history("lock " + path);
      lock.addOwnershipListener((change, token) -> {
        if (change == OwnershipListener.Change.LOST) {
          history.deposed(name, token.value(), sessionOfToken.getOrDefault(token.value(), 0L));
        }
      });
      locks.add(lock);
    }
    AtomicInteger holds = new AtomicInteger();
    loop(actor, () -> {
      if (!faultPhase.get()) {
        return false; // lockers contend while the faults run, not through the drain
      }
      if (!steps.awaitAtLeast(holds.get() / HOLDS_PER_STEP, 200)) {
        return true; // this step's holds are done
      }
      holds.incrementAndGet();
      int which = random.nextInt(locks.size());
      DistributedLock lock = locks.get(which);
      LeadershipHistory history = history("lock " + LOCKS.get(which));
      long session = actor.client.sessionId();
      Optional<FencingToken> token = lock.tryAcquire(Duration.ofSeconds(1));
      if (token.isEmpty()) {
        return true;
      }
      try {
        // Record the hold only if it lives on the session read before the acquire.
        if (lock.isHeldByCurrentThread() && actor.client.sessionId() == session) {
          sessionOfToken.put(token.get().value(), session);
          history.elected(name, token.get().value(), session);
          lockHolds.incrementAndGet();
          actor.client.blocking().exists(LOCKS.get(which), null); // hold it across a round trip
          history.deposed(name, token.get().value(), session);
        }
      } finally {
        lock.release();
      }
      return true;
    });
  }

  private void startParticipant(String name) {
    Actor actor = actor(name, "participant");
    LeadershipHistory history = history("latch " + ELECTION);
    LeaderLatch latch = LeaderLatch.builder(actor.client, ELECTION).id(name).build();
    latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        history.elected(term);
      }

      @Override
      public void notLeader(LeadershipTerm term) {
        history.deposed(term);
      }
    });
    latch.start();
    actor.latch = latch;
    recipes.add(latch);
  }

  private void startMember(String name) throws InterruptedException {
    Actor actor = actor(name, "member");
    Map<String, Long> tokens = new ConcurrentHashMap<>();
    PartitionClaimer claimer = PartitionClaimer.builder(actor.client, PARTITIONS, name, new PartitionListener() {
      @Override
      public void assigned(Partition partition) {
        tokens.put(partition.id(), partition.fencingToken().value());
        history("partition " + partition.id()).elected(name, partition.fencingToken().value(), actor.client.sessionId());
      }

      @Override
      public void revoked(String partitionId) {
        Long token = tokens.remove(partitionId);
        if (token != null) {
          history("partition " + partitionId).deposed(name, token);
        }
      }
    }).start();
    recipes.add(claimer);
  }

  // ---- checking and reporting --------------------------------------------------------------

  private static String payloadOf(byte[] jobData) {
    // A job node's data: a format byte, the attempt count (an int), then the payload.
    ByteBuffer buffer = ByteBuffer.wrap(jobData, 5, jobData.length - 5);
    byte[] payload = new byte[buffer.remaining()];
    buffer.get(payload);
    return new String(payload, StandardCharsets.UTF_8);
  }

  private List<String> violations() {
    List<String> violations = new ArrayList<>(ledger.violations());
    stuck.forEach(where -> violations.add("stuck: " + where));
    for (LeadershipHistory h : histories.values()) {
      try {
        h.check();
      } catch (AssertionError e) {
        violations.add(e.getMessage());
      }
    }
    return violations;
  }

  private void report(String outcome, List<String> violations) {
    int faults = faultCounts.values().stream().mapToInt(AtomicInteger::get).sum();
    StringBuilder out = new StringBuilder();
    out.append("\n=== soak on replicated(3): seed ").append(seed).append(", ").append(seconds).append(" s of faults, ")
        .append(outcome).append('\n');
    out.append("replay: ./mvnw -B -o -pl testing -am test -Dtest=ReplicatedSoakTest -Dsurefire.failIfNoSpecifiedTests=false")
        .append(" -Dcohort.soak.seed=").append(seed).append(" -Dcohort.soak.seconds=").append(seconds).append('\n');
    out.append("faults injected: ").append(faults).append(' ').append(faultCounts)
        .append(", skipped: ").append(faultsSkipped.get())
        .append(", sessions ended without a fault: ").append(unplannedSessionEnds.get()).append('\n');
    out.append("jobs: ").append(ledger.returnedPuts()).append(" puts returned, ").append(ledger.putsFailed())
        .append(" puts failed, ").append(ledger.requeues()).append(" requeued, ")
        .append(ledger.completionsRefused()).append(" completions refused, ")
        .append(ledger.completionsUnknown()).append(" completions with unknown outcome; duplicates: ").append(ledger.duplicates())
        .append(" (two jobs for one put: ").append(ledger.twoJobsForOnePut().size())
        .append(", complete() true without effect: ").append(ledger.completionsThatDidNotTakeEffect()).append(")\n");
    out.append("lock holds: ").append(lockHolds.get()).append(", terms: ");
    histories.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append(e.getKey()).append('=').append(e.getValue().terms()).append(' '));
    out.append("\nrecipe errors seen by the actors (retried): ").append(recipeErrors.get())
        .append(", failed work writes: ").append(workErrors.get()).append('\n');
    out.append("violations: ").append(violations.size()).append('\n');
    violations.stream().limit(40).forEach(v -> out.append("  - ").append(v).append('\n'));
    System.out.println(out);
  }
}
