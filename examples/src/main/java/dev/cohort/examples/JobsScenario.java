package dev.cohort.examples;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.testing.JobHistory;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * The jobs demo: a client submits N jobs; a scheduler elected by LeaderLatch hands them to W
 * workers through a work queue; meanwhile a chaos thread kills and restarts workers, crashes and
 * restarts backend replicas (the leader too), kills the leading scheduler, and rolls every worker
 * over to a "new version" without stopping the flow.
 *
 * <h2>How the outcome is judged</h2>
 * A {@link JobHistory} records every submission and every successful processing (recorded when
 * the work is done, before the worker acknowledges it to the queue, since a worker killed in
 * between has still done it); the run passes only if every job was completed at least once. Duplicates (a job processed twice
 * because its worker died after doing the work, or a scheduler died between hand-out and
 * acknowledgement) are what at-least-once costs: counted and shown, not hidden. Fault timing is
 * tied to progress (fractions of N completed), so small and large runs see the same story.
 */
final class JobsScenario implements JobServices.Observer {

  /** What to run. */
  record Config(int jobs, int workers, Duration workTime, double failRate, boolean chaos, long seed,
      Duration limit, Path outDir, boolean chart) {}

  /** What happened. */
  record Result(int submitted, int completed, int duplicates, int lost, int failedAttempts,
      int schedulerFailovers, int backendLeaderChanges, int workerKills, int workersUpgraded,
      int replicaCrashes, int stallRecoveries, double seconds, double throughput, double steadyThroughput, Path chart,
      List<Timeline.Event> events) {

    boolean allCompleted() {
      return lost == 0 && completed == submitted;
    }
  }

  private final Config config;
  private final DemoCluster cluster;
  private final PrintWriter out;
  private final boolean live;
  private final Random random;
  private final Timeline timeline = new Timeline();
  private final JobHistory history = new JobHistory("jobs demo");
  private final Map<String, AtomicInteger> processings = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private final AtomicInteger schedulerElections = new AtomicInteger();
  private final AtomicReference<String> lastLeader = new AtomicReference<>();
  private final AtomicInteger backendLeaderChanges = new AtomicInteger();
  private final List<JobServices.Worker> workers = new CopyOnWriteArrayList<>();
  private final List<JobServices.Scheduler> schedulers = new CopyOnWriteArrayList<>();
  private int workerKills;
  private int upgraded;
  private int replicaCrashes;
  private int nextWorker;
  private int nextScheduler;
  private volatile String lastEvent = "";

  JobsScenario(Config config, DemoCluster cluster, PrintWriter out, boolean live) {
    this.config = config;
    this.cluster = cluster;
    this.out = out;
    this.live = live;
    this.random = new Random(config.seed());
  }

  // ---- observer ------------------------------------------------------------------------------

  @Override
  public void processing(String jobId, String worker) {
    inFlight.incrementAndGet();
    processings.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void completed(String jobId, String worker) {
    history.completed(jobId);
    timeline.completed();
  }

  @Override
  public void failedAttempt(String jobId, String worker) {
    failedAttempts.incrementAndGet();
  }

  @Override
  public void finishedProcessing() {
    inFlight.decrementAndGet();
  }

  @Override
  public void schedulerElected(String scheduler, LeadershipTerm term) {
    schedulerElections.incrementAndGet();
    String previous = lastLeader.getAndSet(scheduler);
    if (previous != null) {
      event("failover", "scheduler " + scheduler + " took over from " + previous
          + " (term " + term.fencingToken().value() + ")");
    }
  }

  // ---- the run -------------------------------------------------------------------------------

  Result run() throws InterruptedException {
    out.printf("jobs: %d jobs, %d workers, %d ms of work each, on the %s%s%n", config.jobs(), config.workers(),
        config.workTime().toMillis(), cluster.describe(), config.chaos() ? ", with faults" : "");
    Cohort submitter = cluster.newClient();
    WorkQueue submissions = WorkQueue.builder(submitter, JobServices.SUBMITTED).build();
    for (int i = 0; i < 2; i++) {
      startScheduler();
    }
    for (int i = 0; i < config.workers(); i++) {
      startWorker("v1");
    }
    Thread progress = startProgress();
    Thread submit = new Thread(() -> submitAll(submissions), "submitter");
    submit.setDaemon(true);
    submit.start();
    boolean finished = config.chaos() ? runChaos() : awaitCompleted(config.jobs());
    double seconds = timeline.now();
    over = true;
    submit.interrupt();
    submit.join();
    progress.interrupt();
    progress.join();
    if (live) {
      out.println();
    }
    stopAll();
    return result(finished, seconds);
  }

  /**
   * Submits every job, keeping up to {@link #SUBMIT_WINDOW} puts in flight: the client does not
   * wait for one acknowledgement before sending the next, as a real producer would not.
   */
  private volatile boolean submitting = true;

  private void submitAll(WorkQueue submissions) {
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(SUBMIT_WINDOW);
    try {
      for (int i = 0; i < config.jobs(); i++) {
        String id = String.format("job-%05d", i);
        history.submitted(id);
        window.acquire();
        submitOne(submissions, id, window);
      }
      window.acquire(SUBMIT_WINDOW);
      submitting = false;
      event("submitted", "all " + config.jobs() + " jobs submitted");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Puts one job; a put that failed (the service unreachable too long) is simply sent again. */
  private void submitOne(WorkQueue submissions, String id, java.util.concurrent.Semaphore window) {
    submissions.putAsync(id.getBytes(StandardCharsets.UTF_8)).whenComplete((r, e) -> {
      if (e != null && !over) {
        submitOne(submissions, id, window);
      } else {
        window.release();
      }
    });
  }

  private static final int SUBMIT_WINDOW = 32;
  private volatile boolean over;

  private Result result(boolean finished, double seconds) {
    int completed = history.completedJobs();
    int duplicates = processings.values().stream().mapToInt(n -> Math.max(0, n.get() - 1)).sum();
    Path chart = config.chart() ? Charts.throughput(config.outDir(),
        String.format("Cohort jobs demo: %d jobs, %d workers, %s", config.jobs(), config.workers(),
            cluster.describe()), timeline) : null;
    if (!finished) {
      out.printf("gave up after %.0f s with %d of %d jobs completed%n", seconds, completed, config.jobs());
    }
    return new Result(config.jobs(), completed, duplicates, config.jobs() - completed, failedAttempts.get(),
        Math.max(0, schedulerElections.get() - 1), backendLeaderChanges.get(), workerKills, upgraded,
        replicaCrashes, stallRecoveries, seconds, completed / Math.max(seconds, 1e-9), timeline.steadyRate(), chart,
        timeline.events());
  }

  /**
   * The fault schedule, tied to progress. Each step waits for its share of jobs to complete, then
   * acts; a step that does not apply to the backend (replica crashes on ZooKeeper) is skipped.
   */
  private boolean runChaos() throws InterruptedException {
    int n = config.jobs();
    if (!awaitCompleted(share(0.08 + 0.04 * random.nextDouble()))) {
      return false;
    }
    killWorker();
    // A replacement comes up after a little more progress, or after a second if the victim was
    // the last worker and no progress can come.
    awaitCompletedOrSeconds(share(0.15), 1.0);
    startWorker("v1");
    event("restart", "a replacement worker started");
    if (cluster.hasReplicaFaults()) {
      if (!crashReplicaAndRestart(false, 0.22, 0.30) || !crashReplicaAndRestart(true, 0.36, 0.46)) {
        return false;
      }
    }
    if (!awaitCompleted(share(0.50))) {
      return false;
    }
    killLeadingScheduler();
    if (!awaitCompleted(share(0.56)) || !rollingUpgrade()) {
      return false;
    }
    if (!awaitCompleted(share(0.88))) {
      return false;
    }
    killWorker();
    startWorker("v2");
    event("restart", "a replacement worker started");
    return awaitCompleted(n);
  }

  private int share(double fraction) {
    return (int) Math.min(config.jobs(), Math.round(config.jobs() * fraction));
  }

  private boolean crashReplicaAndRestart(boolean leader, double crashAt, double restartAt) throws InterruptedException {
    if (!awaitCompleted(share(crashAt))) {
      return false;
    }
    OptionalInt current = cluster.leader();
    int victim;
    if (leader && current.isPresent()) {
      victim = current.getAsInt();
    } else {
      int skip = current.orElse(0);
      do {
        victim = 1 + random.nextInt(cluster.replicas());
      } while (victim == skip && cluster.replicas() > 1);
    }
    cluster.crashReplica(victim);
    replicaCrashes++;
    event(leader ? "crash leader" : "crash replica",
        "backend replica " + victim + (leader ? " (the leader)" : " (a follower)") + " crashed");
    if (!awaitCompleted(share(restartAt))) {
      cluster.restartReplica(victim);
      return false;
    }
    cluster.restartReplica(victim);
    event("restart replica", "backend replica " + victim + " restarted and caught up");
    return true;
  }

  private void killWorker() {
    JobServices.Worker victim = workers.get(random.nextInt(workers.size()));
    workers.remove(victim);
    victim.crash();
    cluster.kill(victim.client);
    workerKills++;
    event("kill worker", victim.name + " killed mid-flight");
  }

  private void killLeadingScheduler() throws InterruptedException {
    for (JobServices.Scheduler s : schedulers) {
      if (s.leads()) {
        schedulers.remove(s);
        s.crash();
        cluster.kill(s.client);
        event("kill scheduler", "leading " + s.name + " killed");
        startScheduler(); // a new standby, so the next failure has a successor too
        return;
      }
    }
  }

  /**
   * Replaces each running worker in turn: stop it after its current job, start its "v2", and wait
   * until the new one has completed a job before touching the next, so the flow never stops.
   */
  private boolean rollingUpgrade() throws InterruptedException {
    lastEvent = "rolling upgrade to v2 begins";
    for (JobServices.Worker old : List.copyOf(workers)) {
      if (!"v1".equals(old.version)) {
        continue;
      }
      old.stopGracefully(Duration.ofSeconds(10));
      workers.remove(old);
      cluster.kill(old.client);
      JobServices.Worker next = startWorker("v2");
      upgraded++;
      event("upgrade", old.name + " stopped after its current job; " + next.name + " took its place");
      double deadline = timeline.now() + config.limit().toSeconds();
      while (next.completedHere.get() == 0 && history.completedJobs() < config.jobs()) {
        if (timeline.now() > deadline) {
          return false;
        }
        recoverFromStall();
        JobServices.pause(5);
      }
    }
    event("upgraded", "every worker runs v2");
    return true;
  }

  private void awaitCompletedOrSeconds(int target, double seconds) {
    double until = timeline.now() + seconds;
    while (history.completedJobs() < target && timeline.now() < until) {
      watchBackendLeader();
      JobServices.pause(5);
    }
  }

  private boolean awaitCompleted(int target) {
    double deadline = config.limit().toSeconds();
    while (history.completedJobs() < target) {
      if (timeline.now() > deadline) {
        return false;
      }
      watchBackendLeader();
      recoverFromStall();
      JobServices.pause(5);
    }
    return true;
  }

  /** Seconds without a completion, while jobs remain, before the demo looks for stuck claims. */
  private static final double STALL_SECONDS = 8;
  private int lastCompleted = -1;
  private double lastProgressAt;
  private int stallRecoveries;

  /**
   * The operator's safety net. If nothing completed for {@link #STALL_SECONDS} although jobs remain,
   * some job is claimed by a live session that no longer works on it (a claim whose outcome the
   * service could not report). Restarting the services ends their sessions, which frees such
   * claims. Shown as an event and counted in the table, never hidden.
   */
  private void recoverFromStall() {
    int done = history.completedJobs();
    double now = timeline.now();
    if (done != lastCompleted) {
      lastCompleted = done;
      lastProgressAt = now;
      return;
    }
    if (now - lastProgressAt < STALL_SECONDS || done >= config.jobs() || submitting) {
      return;
    }
    lastProgressAt = now;
    stallRecoveries++;
    event("stall", "no progress for " + (int) STALL_SECONDS + " s with " + (config.jobs() - done)
        + " jobs left: " + claimsReport() + "; restarting the services to free stuck claims");
    try {
      for (JobServices.Worker w : List.copyOf(workers)) {
        workers.remove(w);
        w.crash();
        cluster.kill(w.client);
        startWorker(w.version);
      }
      for (JobServices.Scheduler sch : List.copyOf(schedulers)) {
        schedulers.remove(sch);
        sch.crash();
        cluster.kill(sch.client);
        startScheduler();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pending and claimed counts of both queues, read on a client of the demo's own. */
  private String claimsReport() {
    try {
      Cohort observer = cluster.newClient();
      try {
        return String.format("submitted queue %d pending / %d claimed, work queue %d pending / %d claimed",
            pending(observer, JobServices.SUBMITTED), count(observer, JobServices.SUBMITTED + "/claims"),
            pending(observer, JobServices.WORK), count(observer, JobServices.WORK + "/claims"));
      } finally {
        cluster.kill(observer);
      }
    } catch (RuntimeException | InterruptedException e) {
      return "queues unreadable (" + e + ")";
    }
  }

  /** Children of a queue's directory; a directory the service removed once emptied counts none. */
  private static int count(Cohort client, String path) throws InterruptedException {
    try {
      return client.blocking().getChildren(path, null).names().size();
    } catch (dev.cohort.spi.NoNodeException e) {
      return 0;
    }
  }

  /** A queue's pending jobs, however its directories are laid out. */
  private static int pending(Cohort client, String queuePath) throws InterruptedException {
    try (dev.cohort.recipes.queue.WorkQueue queue = dev.cohort.recipes.queue.WorkQueue.builder(client, queuePath).build()) {
      return queue.size();
    }
  }

  private int lastBackendLeader;

  private void watchBackendLeader() {
    OptionalInt leader = cluster.leader();
    if (leader.isPresent()) {
      int l = leader.getAsInt();
      if (lastBackendLeader != 0 && l != lastBackendLeader) {
        backendLeaderChanges.incrementAndGet();
        event("new leader", "backend replica " + l + " now leads");
      }
      lastBackendLeader = l;
    }
  }

  private JobServices.Worker startWorker(String version) throws InterruptedException {
    int index = nextWorker++;
    JobServices.Worker w = new JobServices.Worker("worker-" + index + "-" + version, version, cluster.newClient(),
        this, config.workTime(), config.failRate(), config.seed() * 31 + index, index, Math.max(1, config.workers()));
    workers.add(w);
    w.start();
    return w;
  }

  private void startScheduler() throws InterruptedException {
    String name = "scheduler-" + (char) ('a' + nextScheduler++);
    JobServices.Scheduler s = new JobServices.Scheduler(name, cluster.newClient(), this,
        Math.max(16, 4 * config.workers()));
    schedulers.add(s);
    s.start();
  }

  private void stopAll() throws InterruptedException {
    for (JobServices.Service s : workers) {
      s.crash();
    }
    for (JobServices.Service s : schedulers) {
      s.crash();
    }
    for (JobServices.Service s : workers) {
      s.join(Duration.ofSeconds(5));
    }
    for (JobServices.Service s : schedulers) {
      s.join(Duration.ofSeconds(5));
    }
  }

  private void event(String kind, String text) {
    if (over) {
      return; // shutting down: failovers now are the demo's own teardown, not part of the story
    }
    Timeline.Event e = timeline.event(kind, text);
    lastEvent = text;
    if (live) {
      out.print("\r\033[2K");
    }
    out.printf("  [%6.2fs] %s%n", e.seconds(), text);
    out.flush();
  }

  private Thread startProgress() {
    IntSupplier completed = history::completedJobs;
    Thread t = new Thread(() -> {
      long lines = 0;
      while (!Thread.currentThread().isInterrupted()) {
        String line = String.format("  completed %d/%d | in flight %d | failed attempts %d | events %d | %s",
            completed.getAsInt(), config.jobs(), Math.max(0, inFlight.get()), failedAttempts.get(),
            timeline.events().size(), lastEvent);
        if (live) {
          out.print("\r\033[2K" + line);
          out.flush();
        } else if (lines++ % 10 == 0) {
          out.println(line);
          out.flush();
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The end-of-run table. */
  static void printTable(PrintWriter out, Result r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"submitted", String.valueOf(r.submitted())});
    rows.add(new String[] {"completed", r.completed() + " (" + (r.submitted() == 0 ? 100 : 100L * r.completed() / r.submitted()) + "%)"});
    rows.add(new String[] {"duplicates", r.duplicates() + " (processed again after a crash; at-least-once)"});
    rows.add(new String[] {"lost", String.valueOf(r.lost())});
    rows.add(new String[] {"failed attempts", r.failedAttempts() + " (retried)"});
    rows.add(new String[] {"failovers", r.schedulerFailovers() + " scheduler, " + r.backendLeaderChanges() + " backend leader"});
    rows.add(new String[] {"faults", r.workerKills() + " worker kills, " + r.replicaCrashes() + " replica crashes, "
        + r.workersUpgraded() + " workers upgraded"});
    if (r.stallRecoveries() > 0) {
      rows.add(new String[] {"stall recoveries", r.stallRecoveries() + " (services restarted to free stuck claims)"});
    }
    rows.add(new String[] {"time", String.format("%.1f s", r.seconds())});
    rows.add(new String[] {"throughput", String.format("%.0f jobs/s", r.throughput())});
    Table.print(out, new String[] {"jobs demo", "result"}, rows);
  }
}
