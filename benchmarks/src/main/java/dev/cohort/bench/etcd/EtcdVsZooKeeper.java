package dev.cohort.bench.etcd;

import dev.cohort.bench.recipes.CohortScenarios;
import dev.cohort.etcd.EtcdBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.zookeeper.ZooKeeperBackend;
import io.etcd.jetcd.Client;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * The same Cohort recipes on its etcd backend and on its ZooKeeper backend, on this machine: a
 * local single-member etcd (as {@link EtcdSideBySide} starts it) and a standalone ZooKeeper server
 * embedded in this JVM, both with their data on {@code /dev/shm} when it is writable. Rows alternate
 * between the two, each round of a row running etcd then ZooKeeper, and report the better round.
 * Ratios are etcd ÷ ZooKeeper for throughput and ZooKeeper ÷ etcd for latency (≥ 1.0: etcd as good
 * or better).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.etcd.EtcdVsZooKeeper
 * [--quick]}.
 */
public final class EtcdVsZooKeeper {

  private static final byte[] DATA = new byte[16];
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  private final boolean quick;
  private final List<String> rows = new ArrayList<>();
  private String etcdUrl;
  private ZooKeeperServer zkServer;
  /** Requests the measured loops of the current row sent, etcd then ZooKeeper, and their ops. */
  private final double[] requests = new double[2];
  private final double[] ops = new double[2];

  private EtcdVsZooKeeper(boolean quick) {
    this.quick = quick;
  }

  public static void main(String[] args) throws Exception {
    new EtcdVsZooKeeper(Arrays.asList(args).contains("--quick")).run();
  }

  private void run() throws Exception {
    Path shm = Path.of("/dev/shm");
    Path zkDir = Files.isWritable(shm) ? Files.createTempDirectory(shm, "bench-zk-") : Files.createTempDirectory("bench-zk-");
    ZooKeeperServer zk = new ZooKeeperServer(zkDir.resolve("snap").toFile(), zkDir.resolve("log").toFile(), 2000);
    ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 200);
    factory.startup(zk);
    zkServer = zk;
    try (EtcdSideBySide.LocalEtcd etcd = EtcdSideBySide.LocalEtcd.start()) {
      etcdUrl = etcd.url;
      try (Client ready = Client.builder().endpoints(etcd.url).build()) {
        EtcdSideBySide.awaitServing(ready);
      }
      try (EtcdBackend e = EtcdBackend.builder().endpoints(etcd.url).namespace("/bench").build();
          ZooKeeperBackend z = ZooKeeperBackend.connect("127.0.0.1:" + factory.getLocalPort())) {
        measure(e, z);
      }
    } finally {
      factory.shutdown();
      zk.shutdown();
      EtcdSideBySide.deleteTree(zkDir.toFile());
    }
    String line = "+--------------------------------------------------+-----------+-----------+--------+---------------+";
    System.out.println(line);
    System.out.printf("| %-48s | %9s | %9s | %6s | %13s |%n", "scenario (Cohort recipes)", "etcd", "ZooKeeper", "ratio",
        "req/op e / zk");
    System.out.println(line);
    rows.forEach(System.out::println);
    System.out.println(line);
    System.out.println("ratio: etcd / ZooKeeper for throughput, ZooKeeper / etcd for latency (>= 1.0: etcd as good or better)");
    System.out.println("req/op: etcd's unary gRPC requests (its /metrics) / ZooKeeper's packets received, per op, every round");
  }

  private void measure(CoordinationBackend etcd, CoordinationBackend zk) throws Exception {
    int rounds = quick ? 1 : 2;
    int cycles = quick ? 100 : 300;
    Duration window = Duration.ofSeconds(quick ? 2 : 4);
    // warm-up of each backend's code paths, not counted
    lockUncontended(etcd, cycles);
    lockUncontended(zk, cycles);
    handoffs(etcd, 4, Duration.ofSeconds(1));
    handoffs(zk, 4, Duration.ofSeconds(1));
    double[] best = new double[2];
    for (int r = 0; r < rounds; r++) {
      best[0] = Math.max(best[0], counted(0, cycles, () -> lockUncontended(etcd, cycles)));
      best[1] = Math.max(best[1], counted(1, cycles, () -> lockUncontended(zk, cycles)));
    }
    row("lock acquire+release uncontended (cycles/s)", best, true);
    for (int sessions : new int[] {4, 16}) {
      best = new double[2];
      for (int r = 0; r < rounds; r++) {
        best[0] = Math.max(best[0], handoffs(etcd, sessions, window, 0));
        best[1] = Math.max(best[1], handoffs(zk, sessions, window, 1));
      }
      row("lock handoffs, " + sessions + " sessions (handoffs/s)", best, true);
    }
    int handovers = quick ? 3 : 7;
    List<Double> e = new ArrayList<>();
    List<Double> z = new ArrayList<>();
    for (int h = 0; h < handovers; h++) {
      e.add(leaderHandover(etcd, h));
      z.add(leaderHandover(zk, h));
    }
    row("leader handover, median (ms)", new double[] {median(e), median(z)}, false);
    int jobs = quick ? 100 : 300;
    best = new double[2];
    for (int r = 0; r < rounds; r++) {
      int round = r;
      best[0] = Math.max(best[0], counted(0, jobs, () -> queue(etcd, jobs, round)));
      best[1] = Math.max(best[1], counted(1, jobs, () -> queue(zk, jobs, round)));
    }
    row("work queue put/take/complete, 3 workers (jobs/s)", best, true);
  }

  private void row(String scenario, double[] etcdThenZk, boolean higherIsBetter) {
    double ratio = higherIsBetter ? etcdThenZk[0] / etcdThenZk[1] : etcdThenZk[1] / etcdThenZk[0];
    String req = ops[0] == 0 ? "" : String.format("%.2f / %.2f", requests[0] / ops[0], requests[1] / Math.max(1, ops[1]));
    rows.add(String.format("| %-48s | %9.1f | %9.1f | %6.2f | %13s |", scenario, etcdThenZk[0], etcdThenZk[1], ratio, req));
    Arrays.fill(requests, 0);
    Arrays.fill(ops, 0);
  }

  private interface Measured {
    double run() throws Exception;
  }

  /** Runs a measured loop of {@code n} ops on backend {@code which} (0 etcd, 1 ZooKeeper), counting its requests. */
  private double counted(int which, long n, Measured loop) throws Exception {
    long r0 = requestsSoFar(which);
    double result = loop.run();
    requests[which] += requestsSoFar(which) - r0;
    ops[which] += n;
    return result;
  }

  private long requestsSoFar(int which) {
    return which == 0 ? EtcdSideBySide.unaryRequests(etcdUrl) : zkServer.serverStats().getPacketsReceived();
  }

  private static Cohort cohort(CoordinationBackend backend) throws InterruptedException {
    Cohort client = Cohort.builder(backend).sessionTimeout(SESSION_TIMEOUT).build();
    client.start();
    return client;
  }

  /** Cycles/s; the session's setup (open, first cycle) is counted into requests, over many cycles. */
  private static double lockUncontended(CoordinationBackend backend, int cycles) throws Exception {
    try (Cohort client = cohort(backend)) {
      DistributedLock lock = new DistributedLock(client, "/locks/u");
      lock.acquire(); // the first cycle creates the lock's directory
      lock.release();
      long t0 = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        lock.acquire();
        lock.release();
      }
      return perSecond(cycles, System.nanoTime() - t0);
    }
  }

  private double handoffs(CoordinationBackend backend, int sessions, Duration window) throws Exception {
    return handoffs(backend, sessions, window, -1);
  }

  /** Handoffs/s in the window; {@code which} (0 etcd, 1 ZooKeeper, -1 none) counts the window's requests. */
  private double handoffs(CoordinationBackend backend, int sessions, Duration window, int which) throws Exception {
    List<Cohort> clients = new ArrayList<>();
    AtomicLong cycles = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < sessions; i++) {
        Cohort client = cohort(backend);
        clients.add(client);
        DistributedLock lock = new DistributedLock(client, "/locks/h" + sessions);
        threads.add(new Thread(() -> {
          while (!stop.get()) {
            try {
              lock.acquire();
              cycles.incrementAndGet();
              lock.release();
            } catch (InterruptedException e) {
              return;
            } catch (RuntimeException e) {
              // a failed round: go on
            }
          }
        }));
      }
      threads.forEach(Thread::start);
      long n0 = cycles.get();
      long r0 = which < 0 ? 0 : requestsSoFar(which);
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis()); // a benchmark's measuring window, not a wait for a condition
      long n = cycles.get() - n0;
      long elapsed = System.nanoTime() - t0;
      if (which >= 0) {
        requests[which] += requestsSoFar(which) - r0;
        ops[which] += n;
      }
      stop.set(true);
      for (Thread t : threads) {
        t.interrupt();
        t.join(10_000);
      }
      return perSecond(n, elapsed);
    } finally {
      clients.forEach(Cohort::close);
    }
  }

  /** Ms from the leader's close to the next participant knowing it leads. */
  private static double leaderHandover(CoordinationBackend backend, int h) throws Exception {
    try (Cohort a = cohort(backend); Cohort b = cohort(backend)) {
      return CohortScenarios.leaderHandoverMillis(a, b, "/election/" + h);
    }
  }

  /** Jobs/s from the first put to the last completion: one producer, three workers. */
  private static double queue(CoordinationBackend backend, int jobs, int round) throws Exception {
    List<Cohort> clients = new ArrayList<>();
    List<WorkQueue> queues = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        clients.add(cohort(backend));
        queues.add(WorkQueue.builder(clients.get(i), "/queue" + round).build());
      }
      return CohortScenarios.queueJobsPerSecond(queues, jobs, DATA);
    } finally {
      queues.forEach(WorkQueue::close);
      clients.forEach(Cohort::close);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return sorted.get(sorted.size() / 2);
  }

  private static double perSecond(long n, long nanos) {
    return n * 1e9 / nanos;
  }
}
