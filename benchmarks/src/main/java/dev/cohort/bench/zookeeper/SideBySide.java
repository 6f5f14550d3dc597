package dev.cohort.bench.zookeeper;

import dev.cohort.bench.recipes.CohortScenarios;
import dev.cohort.recipes.BlockingOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * Cohort on its ZooKeeper backend against Apache Curator 5.x, side by side in one run on the same
 * embedded ZooKeeper server (Curator's {@code TestingServer}, default fsync), one JVM. Prints one
 * row per scenario with both figures and their ratio, oriented so that a ratio of at least 1.0 means
 * Cohort is as good as Curator or better.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.zookeeper.SideBySide}
 * (add {@code --quick} for a shorter smoke run, {@code --only=raw,lock,leader,queue,fixture} for some
 * of the scenario groups). Machines here are noisy: compare the ratios of one
 * run, not absolute figures across runs.
 */
public final class SideBySide {

  private static final Pattern RECEIVED = Pattern.compile("Received: (\\d+)");
  private static final byte[] DATA = new byte[16];

  private final TestingServer server;
  private final boolean quick;
  private final List<Row> rows = new ArrayList<>();
  /** Lines printed under the table. */
  private final List<String> notes = new ArrayList<>();

  /** One scenario's result; {@code higherIsBetter} orients the ratio. */
  record Row(String scenario, String unit, double cohort, double curator, boolean higherIsBetter) {
    double ratio() {
      return higherIsBetter ? cohort / curator : curator / cohort;
    }
  }

  /** Scenario groups to run ({@code --only=a,b}); empty: all of them. */
  private final List<String> only;

  private SideBySide(TestingServer server, boolean quick, List<String> only) {
    this.server = server;
    this.quick = quick;
    this.only = only;
  }

  private boolean runs(String group) {
    return only.isEmpty() || only.contains(group);
  }

  public static void main(String[] args) throws Exception {
    boolean quick = Arrays.asList(args).contains("--quick");
    List<String> only = Arrays.stream(args).filter(a -> a.startsWith("--only="))
        .flatMap(a -> Arrays.stream(a.substring("--only=".length()).split(","))).toList();
    measure(quick, only).print(System.out);
  }

  /** Runs the scenario groups in {@code only} (all if empty) on a fresh embedded server. */
  static SideBySide measure(boolean quick, List<String> only) throws Exception {
    System.setProperty("zookeeper.4lw.commands.whitelist", "srvr");
    System.setProperty("zookeeper.admin.enableServer", "false");
    try (TestingServer server = new TestingServer(true)) {
      SideBySide bench = new SideBySide(server, quick, only);
      bench.run();
      return bench;
    }
  }

  /** The rows measured so far, in table order. */
  List<Row> rows() {
    return List.copyOf(rows);
  }


  private int n(int full) {
    return quick ? Math.max(20, full / 10) : full;
  }

  private void run() throws Exception {
    ZooKeeperBackend backend = ZooKeeperBackend.connect(server.getConnectString());
    try {
      if (runs("raw")) {
        rawOps(backend);
      }
      if (only.contains("pipelined")) { // not among the rows: only when asked for
        pipelinedOps(backend);
      }
      if (runs("lock")) {
        uncontendedLock(backend);
        handoffs(backend, 4);
        handoffs(backend, 16);
      }
      if (runs("leader")) {
        leaderHandover(backend);
      }
      if (runs("queue")) {
        workQueue(backend);
      }
    } finally {
      backend.close();
    }
    if (runs("fixture")) {
      fixtureStart();
    }
  }

  // ---------------------------------------------------------------- clients

  private static Cohort cohort(ZooKeeperBackend backend) throws InterruptedException {
    Cohort.Builder builder = Cohort.builder(backend).sessionTimeout(Duration.ofSeconds(30));
    Long joinWindowMicros = Long.getLong("bench.writeJoinWindowMicros"); // for A/B runs; default the backend's
    if (joinWindowMicros != null) {
      builder.writeJoinWindow(Duration.ofNanos(joinWindowMicros * 1000));
    }
    Cohort client = builder.build();
    client.start();
    return client;
  }

  private CuratorFramework curator() throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(),
        30_000, 15_000, new ExponentialBackoffRetry(10, 10));
    client.start();
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("Curator could not connect");
    }
    return client;
  }

  private static double perSecond(int ops, long nanos) {
    return ops / (nanos / 1e9);
  }

  // ---------------------------------------------------------------- raw operations

  private interface IndexedOp {
    void run(int i) throws Exception;
  }

  /**
   * Times {@code count} calls of each of two operations, one call of each in turn, so that the load
   * other processes put on this noisy machine (fsync above all) falls on both alike; which of the
   * two goes first alternates from pair to pair.
   *
   * @return total nanoseconds spent in {@code a} and in {@code b}
   */
  private static long[] alternate(int count, IndexedOp a, IndexedOp b) throws Exception {
    PerOp timed = alternatePerOp(count, a, b, false);
    return new long[] {timed.total(0), timed.total(1)};
  }

  /** Each call's duration and the calling thread's CPU time, for both sides. */
  record PerOp(long[][] nanos, long[] cpuNanos) {
    long total(int side) {
      return Arrays.stream(nanos[side]).sum();
    }

    double medianMicros(int side) {
      long[] sorted = nanos[side].clone();
      Arrays.sort(sorted);
      return sorted[sorted.length / 2] / 1e3;
    }

    /**
     * The median over the pairs (call i of each side, run next to each other) of Curator's time over
     * Cohort's, with a 95% bootstrap interval: {low, median, high}. Each pair's two calls met the
     * same moment of the machine, so this compares the libraries without the tails that one noisy
     * moment adds to one side's total.
     */
    double[] pairedRatio(java.util.random.RandomGenerator random) {
      int n = nanos[0].length;
      double[] ratios = new double[n];
      for (int i = 0; i < n; i++) {
        ratios[i] = (double) nanos[1][i] / nanos[0][i];
      }
      double[] boots = new double[1000];
      double[] sample = new double[n];
      for (int b = 0; b < boots.length; b++) {
        for (int i = 0; i < n; i++) {
          sample[i] = ratios[random.nextInt(n)];
        }
        boots[b] = median(sample);
      }
      Arrays.sort(boots);
      return new double[] {boots[24], median(ratios), boots[974]};
    }
  }

  private static PerOp concat(List<PerOp> parts) {
    long[][] nanos = new long[2][];
    long[] cpu = new long[2];
    for (int side = 0; side < 2; side++) {
      int s = side;
      nanos[side] = parts.stream().flatMapToLong(p -> Arrays.stream(p.nanos()[s])).toArray();
      cpu[side] = parts.stream().mapToLong(p -> p.cpuNanos()[s]).sum();
    }
    return new PerOp(nanos, cpu);
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** As {@link #alternate}, keeping each call's duration; with {@code cpu}, the caller's CPU time too. */
  private static PerOp alternatePerOp(int count, IndexedOp a, IndexedOp b, boolean cpu) throws Exception {
    long[][] nanos = new long[2][count];
    long[] cpuNanos = new long[2];
    IndexedOp[] sides = {a, b};
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < 2; k++) {
        int side = (i + k) % 2; // a first on even pairs, b first on odd ones
        long c0 = cpu ? THREADS.getCurrentThreadCpuTime() : 0;
        long t0 = System.nanoTime();
        sides[side].run(i);
        long t1 = System.nanoTime();
        cpuNanos[side] += cpu ? THREADS.getCurrentThreadCpuTime() - c0 : 0;
        nanos[side][i] = t1 - t0;
      }
    }
    return new PerOp(nanos, cpuNanos);
  }

  private void rawOps(ZooKeeperBackend backend) throws Exception {
    int count = n(1000);
    Cohort cohort = cohort(backend);
    CuratorFramework curator = curator();
    try {
      BlockingOps ops = cohort.blocking();
      ops.create("/raw-cohort", new byte[0], CreateMode.PERSISTENT);
      curator.create().forPath("/raw-curator");
      int measured = quick ? 1 : 3;
      List<List<PerOp>> runs = new ArrayList<>();
      for (int op = 0; op < 4; op++) {
        runs.add(new ArrayList<>());
      }
      for (int round = 0; round <= measured; round++) { // round 0 warms both up
        String c = "/raw-cohort/r" + round + "-";
        String k = "/raw-curator/r" + round + "-";
        PerOp[] times = {
            alternatePerOp(count, i -> ops.create(c + i, DATA, CreateMode.PERSISTENT), i -> curator.create().forPath(k + i, DATA), true),
            alternatePerOp(count, i -> ops.getData(c + i, null), i -> curator.getData().forPath(k + i), true),
            alternatePerOp(count, i -> ops.setData(c + i, DATA, -1), i -> curator.setData().forPath(k + i, DATA), true),
            alternatePerOp(count, i -> ops.delete(c + i, -1), i -> curator.delete().forPath(k + i), true)};
        for (int op = 0; round > 0 && op < 4; op++) {
          runs.get(op).add(times[op]);
        }
      }
      String[] names = {"create", "getData", "setData", "delete"};
      for (int i = 0; i < 4; i++) {
        PerOp all = concat(runs.get(i));
        int calls = measured * count;
        rows.add(new Row("raw " + names[i] + ", 1 client, sync (" + measured + " x " + count + ")", "ops/s",
            perSecond(calls, all.total(0)), perSecond(calls, all.total(1)), true));
        rows.add(new Row("  its median latency", "us", all.medianMicros(0), all.medianMicros(1), false));
        double[] paired = all.pairedRatio(new java.util.Random(42));
        notes.add(String.format("raw %s: median over the %d call pairs of Curator's time / Cohort's = %.3f (95%% bootstrap interval %.3f to %.3f)",
            names[i], calls, paired[1], paired[0], paired[2]));
        rows.add(new Row("  its caller-thread CPU per call (diagnostic)", "us",
            all.cpuNanos()[0] / 1e3 / calls, all.cpuNanos()[1] / 1e3 / calls, false));
      }
      // Diagnostic: the backend alone (SPI session, future.get()), without the Cohort client's layers.
      dev.cohort.spi.Session session = backend.openSession().get(30, TimeUnit.SECONDS);
      try {
        session.create("/raw-spi", DATA, CreateMode.PERSISTENT).get();
        long[] spi = alternate(count, i -> session.getData("/raw-spi").get(), i -> curator.getData().forPath("/raw-curator"));
        rows.add(new Row("raw getData, backend SPI session only (diagnostic)", "ops/s",
            perSecond(count, spi[0]), perSecond(count, spi[1]), true));
        long[] view = alternate(count, i -> session.blocking().getData("/raw-spi"), i -> curator.getData().forPath("/raw-curator"));
        rows.add(new Row("raw getData, SPI blocking view only (diagnostic)", "ops/s",
            perSecond(count, view[0]), perSecond(count, view[1]), true));
      } finally {
        session.close();
      }
    } finally {
      cohort.close();
      curator.close();
    }
  }

  /**
   * Issues operation {@code i} and calls {@code done} once it has completed: with null on success,
   * with what went wrong otherwise.
   */
  private interface AsyncOp {
    void start(int i, java.util.function.Consumer<Object> done) throws Exception;
  }

  /**
   * Runs calls {@code first} to {@code first + count - 1} of {@code op} with at most {@code window}
   * in flight.
   *
   * @return the nanoseconds from the first call to the last completion
   */
  private static long pipelined(int first, int count, int window, AsyncOp op) throws Exception {
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(window);
    java.util.concurrent.atomic.AtomicReference<Object> failure = new java.util.concurrent.atomic.AtomicReference<>();
    long t0 = System.nanoTime();
    for (int i = first; i < first + count; i++) {
      slots.acquire();
      op.start(i, problem -> {
        if (problem != null) {
          failure.compareAndSet(null, problem);
        }
        slots.release();
      });
    }
    slots.acquire(window); // every call has completed
    long took = System.nanoTime() - t0;
    if (failure.get() != null) {
      throw new IllegalStateException("a pipelined call failed, so the timing is void: " + failure.get());
    }
    return took;
  }

  /** A Curator background callback that reports its outcome to {@code done} as {@link AsyncOp} asks. */
  private static org.apache.curator.framework.api.BackgroundCallback reportTo(java.util.function.Consumer<Object> done) {
    return (client, event) -> done.accept(event.getResultCode() == 0 ? null : event);
  }

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /**
   * The raw operations through each library's asynchronous API, {@code window} calls in flight: what
   * a service that fans requests out gets. Chunks of calls alternate between the two sides (which
   * goes first alternates too), and each chunk's wall time and the whole process's CPU time are
   * kept: the server does the same work for both sides, so the CPU difference is the clients'.
   */
  private void pipelinedOps(ZooKeeperBackend backend) throws Exception {
    int chunk = 200;
    int chunks = quick ? 3 : 30;
    int window = 64;
    Cohort cohort = cohort(backend);
    CuratorFramework curator = curator();
    try {
      var ops = cohort.async();
      cohort.blocking().create("/pipe-cohort", new byte[0], CreateMode.PERSISTENT);
      curator.create().forPath("/pipe-curator");
      String[] names = {"create", "getData", "setData", "delete"};
      for (int round = 0; round < 2; round++) { // round 0 warms both up
        boolean measure = round == 1;
        int perRound = measure ? chunks : Math.max(2, chunks / 3);
        String c = "/pipe-cohort/r" + round + "-";
        String k = "/pipe-curator/r" + round + "-";
        AsyncOp[][] pairs = {
            {(i, done) -> ops.create(c + i, DATA, CreateMode.PERSISTENT).whenComplete((r, e) -> done.accept(e)),
                (i, done) -> curator.create().inBackground(reportTo(done)).forPath(k + i, DATA)},
            {(i, done) -> ops.getData(c + i, null).whenComplete((r, e) -> done.accept(e)),
                (i, done) -> curator.getData().inBackground(reportTo(done)).forPath(k + i)},
            {(i, done) -> ops.setData(c + i, DATA, -1).whenComplete((r, e) -> done.accept(e)),
                (i, done) -> curator.setData().inBackground(reportTo(done)).forPath(k + i, DATA)},
            {(i, done) -> ops.delete(c + i, -1).whenComplete((r, e) -> done.accept(e)),
                (i, done) -> curator.delete().inBackground(reportTo(done)).forPath(k + i)}};
        long[][] cpu = new long[4][2];
        long[][][] perChunk = new long[4][2][perRound];
        for (int op = 0; op < 4; op++) {
          for (int j = 0; j < perRound; j++) {
            for (int turn = 0; turn < 2; turn++) {
              int side = (j + turn) % 2;
              long cpu0 = OS.getProcessCpuTime();
              perChunk[op][side][j] = pipelined(j * chunk, chunk, window, pairs[op][side]);
              cpu[op][side] += OS.getProcessCpuTime() - cpu0;
            }
          }
        }
        for (int op = 0; measure && op < 4; op++) {
          int calls = chunks * chunk;
          PerOp timed = new PerOp(perChunk[op], cpu[op]);
          rows.add(new Row("raw " + names[op] + ", async, " + window + " in flight (" + chunks + " x " + chunk + ")",
              "ops/s", perSecond(calls, timed.total(0)), perSecond(calls, timed.total(1)), true));
          rows.add(new Row("  its process CPU per call (client + server)", "us",
              cpu[op][0] / 1e3 / calls, cpu[op][1] / 1e3 / calls, false));
          double[] paired = timed.pairedRatio(new java.util.Random(42));
          notes.add(String.format("raw %s async: median over the %d chunk pairs of Curator's time / Cohort's = %.3f (95%% bootstrap interval %.3f to %.3f)",
              names[op], chunks, paired[1], paired[0], paired[2]));
        }
      }
    } finally {
      cohort.close();
      curator.close();
    }
  }

  // ---------------------------------------------------------------- locks

  private long packetsReceived() throws Exception {
    String srvr = FourLetterWordMain.send4LetterWord("127.0.0.1", server.getPort(), "srvr");
    Matcher m = RECEIVED.matcher(srvr);
    if (!m.find()) {
      throw new IllegalStateException("no packet count in: " + srvr);
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * Back-to-back cycles on one thread, the two sides alternating in blocks of {@value #LOCK_BLOCK}
   * cycles (so drifting load falls on both, while within a block each cycle follows the last at
   * once, as in a loop), after a warm-up long enough for the JIT on both sides.
   */
  private void uncontendedLock(ZooKeeperBackend backend) throws Exception {
    int cycles = n(2000);
    Cohort cohort = cohort(backend);
    CuratorFramework curator = curator();
    try {
      DistributedLock lock = new DistributedLock(cohort, "/lock-uncontended");
      InterProcessMutex mutex = new InterProcessMutex(curator, "/curator-lock-uncontended");
      for (int i = 0; i < cycles; i++) { // warm-up, and the lock's parent exists afterwards
        lock.acquire();
        lock.release();
        mutex.acquire();
        mutex.release();
      }
      long p0 = packetsReceived();
      for (int i = 0; i < cycles / 4; i++) {
        lock.acquire();
        lock.release();
      }
      long p1 = packetsReceived();
      for (int i = 0; i < cycles / 4; i++) {
        mutex.acquire();
        mutex.release();
      }
      long p2 = packetsReceived();
      long[] nanos = new long[2];
      for (int block = 0; block < cycles / LOCK_BLOCK; block++) {
        for (int k = 0; k < 2; k++) {
          int side = (block + k) % 2; // Cohort first in even blocks, Curator first in odd ones
          long t0 = System.nanoTime();
          for (int i = 0; i < LOCK_BLOCK; i++) {
            if (side == 0) {
              lock.acquire();
              lock.release();
            } else {
              mutex.acquire();
              mutex.release();
            }
          }
          nanos[side] += System.nanoTime() - t0;
        }
      }
      int measured = cycles / LOCK_BLOCK * LOCK_BLOCK;
      rows.add(new Row("lock acquire+release, uncontended, back to back", "cycles/s",
          perSecond(measured, nanos[0]), perSecond(measured, nanos[1]), true));
      // Each srvr query is itself one packet; the difference is negligible over hundreds of cycles.
      rows.add(new Row("round trips per lock cycle (server packets)", "requests",
          (p1 - p0) / (double) (cycles / 4), (p2 - p1) / (double) (cycles / 4), false));
    } finally {
      cohort.close();
      curator.close();
    }
  }

  private static final int LOCK_BLOCK = 200;

  private interface Locker {
    void cycle() throws Exception;
  }

  /** Handoffs per second, and the server's requests per handoff, over one measuring window. */
  private double[] runHandoffs(List<Locker> lockers, Duration duration) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger cycles = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(lockers.size());
    List<Thread> threads = new ArrayList<>();
    for (Locker locker : lockers) {
      Thread t = new Thread(() -> {
        ready.countDown();
        try {
          while (!stop.get()) {
            locker.cycle();
            cycles.incrementAndGet();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      threads.add(t);
      t.start();
    }
    ready.await();
    int start = cycles.get();
    long packets0 = packetsReceived();
    long t0 = System.nanoTime();
    Thread.sleep(duration.toMillis()); // a benchmark's measuring window, not a wait for a condition
    int end = cycles.get();
    long t1 = System.nanoTime();
    long packets1 = packetsReceived();
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    return new double[] {perSecond(end - start, t1 - t0), (packets1 - packets0) / (double) Math.max(1, end - start)};
  }

  private void handoffs(ZooKeeperBackend backend, int sessions) throws Exception {
    Duration window = quick ? Duration.ofSeconds(1) : Duration.ofSeconds(4);
    List<Cohort> cohorts = new ArrayList<>();
    List<CuratorFramework> curators = new ArrayList<>();
    try {
      List<Locker> cohortLockers = new ArrayList<>();
      List<Locker> curatorLockers = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        Cohort c = cohort(backend);
        cohorts.add(c);
        DistributedLock lock = new DistributedLock(c, "/lock-contended-" + sessions);
        cohortLockers.add(() -> {
          lock.acquire();
          lock.release();
        });
        CuratorFramework k = curator();
        curators.add(k);
        InterProcessMutex mutex = new InterProcessMutex(k, "/curator-lock-contended-" + sessions);
        curatorLockers.add(() -> {
          mutex.acquire();
          mutex.release();
        });
      }
      // warm up both (not counted), then alternate two windows each so drifting load falls on both
      runHandoffs(cohortLockers, window.dividedBy(4));
      runHandoffs(curatorLockers, window.dividedBy(4));
      double[] cohortRun = new double[2];
      double[] curatorRun = new double[2];
      for (int w = 0; w < 2; w++) {
        double[] c = runHandoffs(cohortLockers, window.dividedBy(2));
        double[] k = runHandoffs(curatorLockers, window.dividedBy(2));
        for (int i = 0; i < 2; i++) {
          cohortRun[i] += c[i] / 2;
          curatorRun[i] += k[i] / 2;
        }
      }
      rows.add(new Row("lock handoffs, " + sessions + " sessions", "handoffs/s", cohortRun[0], curatorRun[0], true));
      rows.add(new Row("requests per handoff, " + sessions + " sessions (server packets)", "requests",
          cohortRun[1], curatorRun[1], false));
    } finally {
      cohorts.forEach(Cohort::close);
      curators.forEach(CuratorFramework::close);
    }
  }

  // ---------------------------------------------------------------- leader handover

  /**
   * Median time from the leader's close to the next leader, 3 sessions per side. Both sides' latches
   * run at once; after a warm-up the handovers alternate between them (which goes first alternates
   * too), so JIT warm-up and the machine's load fall on both alike.
   */
  private void leaderHandover(ZooKeeperBackend backend) throws Exception {
    int handovers = n(60);
    int warmUp = n(150);
    try (CohortLeaders cohort = new CohortLeaders(backend); CuratorLeaders curator = new CuratorLeaders()) {
      List<Leaders<?>> sides = List.of(cohort, curator);
      for (int h = 0; h < warmUp; h++) {
        cohort.handover();
        curator.handover();
      }
      long[][] samples = new long[2][handovers];
      for (int h = 0; h < handovers; h++) {
        for (int k = 0; k < 2; k++) {
          int side = (h + k) % 2;
          samples[side][h] = sides.get(side).handover();
        }
      }
      rows.add(new Row("leader handover on close, 3 sessions (median of " + handovers + ")", "ms",
          medianMillis(samples[0]), medianMillis(samples[1]), false));
    }
  }

  /**
   * Three latches on one path, one per client; a handover closes the leader's latch, times the wait
   * for the next leader, and starts a new latch in its place.
   */
  private abstract static class Leaders<L> implements AutoCloseable {
    private final List<L> latches = new ArrayList<>();

    /** Starts a new latch for participant {@code i}. */
    abstract L start(int i) throws Exception;

    abstract boolean leads(L latch);

    abstract void stop(L latch) throws Exception;

    /** Closes the clients, once every latch is stopped. */
    abstract void closeClients();

    void startAll() throws Exception {
      for (int i = 0; i < 3; i++) {
        latches.add(start(i));
      }
    }

    long handover() throws Exception {
      int leader = awaitLeader(latches.size(), i -> leads(latches.get(i)), -1);
      long t0 = System.nanoTime();
      stop(latches.get(leader));
      awaitLeader(latches.size(), i -> leads(latches.get(i)), leader);
      long took = System.nanoTime() - t0;
      latches.set(leader, start(leader));
      return took;
    }

    @Override
    public void close() throws Exception {
      for (L latch : latches) {
        stop(latch);
      }
      closeClients();
    }
  }

  private final class CohortLeaders extends Leaders<LeaderLatch> {
    private final List<Cohort> clients = new ArrayList<>();

    CohortLeaders(ZooKeeperBackend backend) throws Exception {
      for (int i = 0; i < 3; i++) {
        clients.add(cohort(backend));
      }
      startAll();
    }

    @Override
    LeaderLatch start(int i) {
      LeaderLatch latch = LeaderLatch.builder(clients.get(i), "/leader").build();
      latch.start();
      return latch;
    }

    @Override
    boolean leads(LeaderLatch latch) {
      return latch.hasLeadership();
    }

    @Override
    void stop(LeaderLatch latch) {
      latch.close(); // idempotent
    }

    @Override
    void closeClients() {
      clients.forEach(Cohort::close);
    }
  }

  private final class CuratorLeaders extends Leaders<org.apache.curator.framework.recipes.leader.LeaderLatch> {
    private final List<CuratorFramework> clients = new ArrayList<>();

    CuratorLeaders() throws Exception {
      for (int i = 0; i < 3; i++) {
        clients.add(curator());
      }
      startAll();
    }

    @Override
    org.apache.curator.framework.recipes.leader.LeaderLatch start(int i) throws Exception {
      var latch = new org.apache.curator.framework.recipes.leader.LeaderLatch(clients.get(i), "/curator-leader");
      latch.start();
      return latch;
    }

    @Override
    boolean leads(org.apache.curator.framework.recipes.leader.LeaderLatch latch) {
      return latch.hasLeadership();
    }

    @Override
    void stop(org.apache.curator.framework.recipes.leader.LeaderLatch latch) throws java.io.IOException {
      if (latch.getState() == org.apache.curator.framework.recipes.leader.LeaderLatch.State.STARTED) {
        latch.close();
      }
    }

    @Override
    void closeClients() {
      clients.forEach(CuratorFramework::close);
    }
  }

  /**
   * Waits for a participant other than {@code except} (of {@code count}) to lead. It polls, because
   * the handover is the measurement and a listener would time each library's listener dispatch as
   * well; between polls it yields, so that on a small machine the poll does not keep the server and
   * the clients' threads from a core.
   */
  private static int awaitLeader(int count, java.util.function.IntPredicate leads, int except) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < count; i++) {
        if (i != except && leads.test(i)) {
          return i;
        }
      }
      Thread.yield();
    }
    throw new IllegalStateException("no leader within 30 s");
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double medianMillis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] / 1e6;
  }

  // ---------------------------------------------------------------- work queue

  private void workQueue(ZooKeeperBackend backend) throws Exception {
    int jobs = quick ? 200 : 1000;
    int rounds = quick ? 1 : 3;
    // a warm-up round of each first (not counted): the first round of either pays for class
    // loading and compilation of its queue code, which the earlier scenarios did not exercise
    cohortQueue(backend, jobs / 5, Mode.BLOCKING_PUTS);
    curatorQueue(jobs / 5, false);
    double[] cohortRates = new double[rounds];
    double[] curatorRates = new double[rounds];
    double[] cohortPipelined = new double[rounds];
    double[] cohortDrain = new double[rounds];
    double[] curatorDrain = new double[rounds];
    long cohortPackets = 0;
    long curatorPackets = 0;
    for (int r = 0; r < rounds; r++) {
      long p0 = packetsReceived();
      cohortRates[r] = cohortQueue(backend, jobs, Mode.BLOCKING_PUTS);
      long p1 = packetsReceived();
      curatorRates[r] = curatorQueue(jobs, false);
      long p2 = packetsReceived();
      cohortPackets += p1 - p0;
      curatorPackets += p2 - p1;
      cohortPipelined[r] = cohortQueue(backend, jobs, Mode.PIPELINED_PUTS);
      cohortDrain[r] = cohortQueue(backend, jobs, Mode.DRAIN);
      curatorDrain[r] = curatorQueue(jobs, true);
    }
    rows.add(new Row("work queue, " + jobs + " jobs, 3 workers, end to end (median of " + rounds + ")", "jobs/s",
        median(cohortRates), median(curatorRates), true));
    rows.add(new Row("  same, Cohort producer pipelined (putAsync, " + PUTS_IN_FLIGHT
        + " in flight; Curator has no async offer)", "jobs/s", median(cohortPipelined), median(curatorRates), true));
    rows.add(new Row("work queue, drain a backlog of " + jobs + ", 3 workers (take+complete / poll)", "jobs/s",
        median(cohortDrain), median(curatorDrain), true));
    rows.add(new Row("requests per job, put to completion (server packets)", "requests",
        cohortPackets / (double) (rounds * jobs), curatorPackets / (double) (rounds * jobs), false));
  }

  /** How a Cohort queue round runs: its producer blocking or pipelined, or workers on a backlog. */
  private enum Mode { BLOCKING_PUTS, PIPELINED_PUTS, DRAIN }

  private static final int PUTS_IN_FLIGHT = 64;

  private double cohortQueue(ZooKeeperBackend backend, int jobs, Mode mode) throws Exception {
    List<Cohort> clients = new ArrayList<>();
    List<WorkQueue> queues = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        clients.add(cohort(backend));
        queues.add(WorkQueue.builder(clients.get(i), "/queue").build());
      }
      return switch (mode) {
        case BLOCKING_PUTS -> CohortScenarios.queueJobsPerSecond(queues, jobs, DATA);
        case PIPELINED_PUTS -> CohortScenarios.queueJobsPerSecond(queues, jobs, DATA, PUTS_IN_FLIGHT);
        case DRAIN -> CohortScenarios.queueDrainJobsPerSecond(queues, jobs, DATA);
      };
    } finally {
      queues.forEach(WorkQueue::close);
      clients.forEach(Cohort::close);
    }
  }

  /**
   * Curator's SimpleDistributedQueue: one producer offering {@code jobs} items while 3 workers poll
   * them, or ({@code drain}) the workers polling a backlog offered before the clock started.
   */
  private double curatorQueue(int jobs, boolean drain) throws Exception {
    List<CuratorFramework> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        clients.add(curator());
      }
      SimpleDistributedQueue producer = new SimpleDistributedQueue(clients.get(0), "/curator-queue");
      if (drain) {
        for (int i = 0; i < jobs; i++) {
          producer.offer(DATA);
        }
      }
      AtomicInteger done = new AtomicInteger();
      AtomicLong lastCompletion = new AtomicLong();
      long t0 = System.nanoTime();
      List<Thread> workers = new ArrayList<>();
      for (int w = 1; w <= 3; w++) {
        SimpleDistributedQueue q = new SimpleDistributedQueue(clients.get(w), "/curator-queue");
        Thread t = new Thread(() -> {
          try {
            while (done.get() < jobs) {
              if (q.poll(200, TimeUnit.MILLISECONDS) != null && done.incrementAndGet() == jobs) {
                lastCompletion.set(System.nanoTime());
              }
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        workers.add(t);
        t.start();
      }
      if (!drain) {
        for (int i = 0; i < jobs; i++) {
          producer.offer(DATA);
        }
      }
      for (Thread t : workers) {
        t.join();
      }
      return perSecond(jobs, lastCompletion.get() - t0);
    } finally {
      clients.forEach(CuratorFramework::close);
    }
  }

  // ---------------------------------------------------------------- fixture start

  private void fixtureStart() throws Exception {
    int runs = quick ? 3 : 10;
    long[] cohort = new long[runs];
    long[] curator = new long[runs];
    for (int i = 0; i < runs; i++) { // which side goes first alternates
      if (i % 2 == 0) {
        cohort[i] = cohortFixtureStart();
        curator[i] = curatorFixtureStart();
      } else {
        curator[i] = curatorFixtureStart();
        cohort[i] = cohortFixtureStart();
      }
    }
    rows.add(new Row("fixture start: server + client + first create (median)", "ms",
        medianMillis(cohort), medianMillis(curator), false));
  }

  /** What a Cohort test on ZooKeeper does: an embedded server, the backend, a session, one create. */
  private static long cohortFixtureStart() throws Exception {
    Path dir = Files.createTempDirectory("cohort-bench-zk-");
    long t0 = System.nanoTime();
    try (EmbeddedServer s = EmbeddedServer.start(dir);
        ZooKeeperBackend backend = ZooKeeperBackend.builder().connectString(s.connectString())
            .capabilities(EnumSet.of(Capability.PERSISTENT_WATCHES, Capability.CONTAINER_NODES)).build()) {
      backend.openSession().get(30, TimeUnit.SECONDS).create("/first", DATA, CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      return System.nanoTime() - t0;
    } finally {
      EmbeddedServer.delete(dir);
    }
  }

  private static long curatorFixtureStart() throws Exception {
    long t0 = System.nanoTime();
    try (TestingServer s = new TestingServer(true);
        CuratorFramework c = CuratorFrameworkFactory.newClient(s.getConnectString(), new ExponentialBackoffRetry(10, 3))) {
      c.start();
      c.create().forPath("/first", DATA);
      return System.nanoTime() - t0;
    }
  }

  // ---------------------------------------------------------------- report

  private void print(PrintStream out) {
    out.printf("%nCohort (ZooKeeper backend) vs Apache Curator 5.x, same embedded ZooKeeper server, one JVM%n");
    out.printf("ratio >= 1.0 means Cohort is at least as good (throughputs: cohort/curator; times and round trips: curator/cohort)%n%n");
    out.printf("| %-55s | %-10s | %12s | %12s | %6s |%n", "scenario", "unit", "Cohort", "Curator", "ratio");
    out.printf("|%s|%s|%s|%s|%s|%n", "-".repeat(57), "-".repeat(12), "-".repeat(14), "-".repeat(14), "-".repeat(8));
    for (Row r : rows) {
      out.printf("| %-55s | %-10s | %12.2f | %12.2f | %6.2f |%n", r.scenario(), r.unit(), r.cohort(), r.curator(), r.ratio());
    }
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(out::println);
    }
  }
}
