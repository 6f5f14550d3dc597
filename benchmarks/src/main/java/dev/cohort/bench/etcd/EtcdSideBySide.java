package dev.cohort.bench.etcd;

import dev.cohort.bench.recipes.CohortScenarios;
import dev.cohort.etcd.EtcdBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.election.LeaderKey;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cohort on its etcd backend against jetcd's own clients, side by side in one run on the same etcd
 * server, alternating rounds: raw put/get/delete, lock acquire+release uncontended and handed off
 * between 4 and 16 sessions (Cohort {@code DistributedLock} vs jetcd {@code Lock}), and leader
 * handover (Cohort {@code LeaderLatch} vs jetcd {@code Election} campaign/resign). Ratios are Cohort
 * ÷ jetcd for throughput (≥ 1.0: Cohort as good or better) and jetcd ÷ Cohort for latency.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> dev.cohort.bench.etcd.EtcdSideBySide [--quick]
 * [--etcd host:port]}; without {@code --etcd} it starts {@code etcd} from the PATH on loopback ports
 * with a data directory on {@code /dev/shm}.
 */
public final class EtcdSideBySide {

  private static final byte[] DATA = new byte[16];

  private final String endpoint;
  private final boolean quick;
  private final List<String> rows = new ArrayList<>();

  private EtcdSideBySide(String endpoint, boolean quick) {
    this.endpoint = endpoint;
    this.quick = quick;
  }

  public static void main(String[] args) throws Exception {
    boolean quick = Arrays.asList(args).contains("--quick");
    String etcd = null;
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--etcd")) {
        etcd = "http://" + args[i + 1];
      }
    }
    if (etcd != null) {
      new EtcdSideBySide(etcd, quick).run();
      return;
    }
    try (LocalEtcd server = LocalEtcd.start()) {
      new EtcdSideBySide(server.url, quick).run();
    }
  }

  /** A single-member etcd from the PATH on loopback ports, its data on {@code /dev/shm} when writable. */
  static final class LocalEtcd implements AutoCloseable {
    final String url;
    private final Process process;
    private final Path dir;

    private LocalEtcd(String url, Process process, Path dir) {
      this.url = url;
      this.process = process;
      this.dir = dir;
    }

    static LocalEtcd start() throws Exception {
      int client = freePort();
      int peer = freePort();
      Path shm = Path.of("/dev/shm");
      Path dir = Files.isWritable(shm) ? Files.createTempDirectory(shm, "bench-etcd-") : Files.createTempDirectory("bench-etcd-");
      String url = "http://127.0.0.1:" + client;
      Process server = new ProcessBuilder("etcd", "--name", "b0", "--data-dir", dir.resolve("data").toString(),
          "--listen-client-urls", url, "--advertise-client-urls", url,
          "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
          "--initial-cluster", "b0=http://127.0.0.1:" + peer, "--log-level", "error", "--logger", "zap")
          .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
      return new LocalEtcd(url, server, dir);
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      deleteTree(dir.toFile());
    }
  }

  /** Unary gRPC requests the server has started (etcd's {@code /metrics}); watch and keep-alive streams excluded. */
  private long requests() {
    return unaryRequests(endpoint);
  }

  /** Sums etcd's {@code grpc_server_started_total} over its unary methods. */
  static long unaryRequests(String endpoint) {
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      var resp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofLines());
      return resp.body().filter(l -> l.startsWith("grpc_server_started_total{") && l.contains("grpc_type=\"unary\""))
          .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private void run() throws Exception {
    try (Client jetcd = Client.builder().endpoints(endpoint).build();
        EtcdBackend backend = EtcdBackend.builder().endpoints(endpoint).namespace("/bench").build()) {
      awaitServing(jetcd);
      int ops = quick ? 200 : 1_000;
      int rounds = quick ? 1 : 3;
      double[] cohortRaw = new double[3];
      double[] jetcdRaw = new double[3];
      double[] cohortReq = new double[3];
      double[] jetcdReq = new double[3];
      Session session = backend.openSession().get(30, TimeUnit.SECONDS);
      for (int r = 0; r < rounds; r++) {
        double[] c = rawCohort(session, ops, r, cohortReq);
        double[] j = rawJetcd(jetcd.getKVClient(), ops, r, jetcdReq);
        for (int k = 0; k < 3; k++) {
          cohortRaw[k] = Math.max(cohortRaw[k], c[k]);
          jetcdRaw[k] = Math.max(jetcdRaw[k], j[k]);
        }
      }
      session.close();
      String[] names = {"put/create", "get/getData", "delete"};
      for (int k = 0; k < 3; k++) {
        row("raw " + names[k] + " (ops/s, 1 client)", cohortRaw[k], jetcdRaw[k], true, cohortReq[k], jetcdReq[k]);
      }
      double cu = 0;
      double ju = 0;
      double[] cuReq = new double[1];
      double[] juReq = new double[1];
      for (int r = 0; r < rounds; r++) {
        cu = Math.max(cu, lockUncontendedCohort(backend, ops / 2, cuReq));
        ju = Math.max(ju, lockUncontendedJetcd(jetcd, ops / 2, juReq));
      }
      row("lock acquire+release uncontended (cycles/s)", cu, ju, true, cuReq[0], juReq[0]);
      for (int sessions : new int[] {4, 16}) {
        Duration d = Duration.ofSeconds(quick ? 2 : 5);
        double[] cReq = new double[1];
        double[] jReq = new double[1];
        double c = handoffsCohort(backend, sessions, d, cReq);
        double j = handoffsJetcd(sessions, d, jReq);
        row("lock handoffs, " + sessions + " sessions (handoffs/s)", c, j, true, cReq[0], jReq[0]);
      }
      int handovers = quick ? 3 : 10;
      double cl = leaderHandoverCohort(backend, handovers);
      double jl = leaderHandoverJetcd(jetcd, handovers);
      row("leader handover, median (ms)", cl, jl, false, Double.NaN, Double.NaN);
    }
    String line = "+------------------------------------------------+-----------+-----------+--------+---------------+";
    System.out.println(line);
    System.out.printf("| %-46s | %9s | %9s | %6s | %13s |%n", "scenario (etcd " + endpoint + ")", "Cohort", "jetcd", "ratio",
        "req/op C / j");
    System.out.println(line);
    rows.forEach(System.out::println);
    System.out.println(line);
    System.out.println("ratio: Cohort / jetcd for throughput, jetcd / Cohort for latency (>= 1.0: Cohort as good or better)");
    System.out.println("req/op: unary gRPC requests etcd started per op (its /metrics), watch and keep-alive streams excluded");
  }

  private void row(String scenario, double cohort, double jetcd, boolean higherIsBetter, double cohortReq,
      double jetcdReq) {
    double ratio = higherIsBetter ? cohort / jetcd : jetcd / cohort;
    String req = Double.isNaN(cohortReq) ? "" : String.format("%.2f / %.2f", cohortReq, jetcdReq);
    rows.add(String.format("| %-46s | %9.1f | %9.1f | %6.2f | %13s |", scenario, cohort, jetcd, ratio, req));
  }

  // ---------------------------------------------------------------- raw

  private double[] rawCohort(Session s, int ops, int round, double[] req) throws Exception {
    String base = "/raw" + round + "-";
    long r0 = requests();
    long t0 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      s.create(base + i, DATA, CreateMode.PERSISTENT).get();
    }
    long t1 = System.nanoTime();
    long r1 = requests();
    for (int i = 0; i < ops; i++) {
      s.getData(base + i).get();
    }
    long t2 = System.nanoTime();
    long r2 = requests();
    for (int i = 0; i < ops; i++) {
      s.delete(base + i, -1).get();
    }
    long t3 = System.nanoTime();
    long r3 = requests();
    perOp(req, ops, r0, r1, r2, r3);
    return new double[] {perSecond(ops, t1 - t0), perSecond(ops, t2 - t1), perSecond(ops, t3 - t2)};
  }

  private double[] rawJetcd(KV kv, int ops, int round, double[] req) throws Exception {
    String base = "/jraw" + round + "-";
    ByteSequence value = ByteSequence.from(DATA);
    long r0 = requests();
    long t0 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      kv.put(bytes(base + i), value).get();
    }
    long t1 = System.nanoTime();
    long r1 = requests();
    for (int i = 0; i < ops; i++) {
      kv.get(bytes(base + i)).get();
    }
    long t2 = System.nanoTime();
    long r2 = requests();
    for (int i = 0; i < ops; i++) {
      kv.delete(bytes(base + i)).get();
    }
    long t3 = System.nanoTime();
    long r3 = requests();
    perOp(req, ops, r0, r1, r2, r3);
    return new double[] {perSecond(ops, t1 - t0), perSecond(ops, t2 - t1), perSecond(ops, t3 - t2)};
  }

  /** Requests per op of the three raw phases; a scrape itself is an HTTP request, not gRPC. */
  private static void perOp(double[] req, int ops, long r0, long r1, long r2, long r3) {
    req[0] = (r1 - r0) / (double) ops;
    req[1] = (r2 - r1) / (double) ops;
    req[2] = (r3 - r2) / (double) ops;
  }

  // ---------------------------------------------------------------- locks

  /** A client on {@code backend}; {@code -Dbench.writeJoinWindowMicros} sets its write-join window (A/B runs). */
  private static Cohort cohortOn(EtcdBackend backend) {
    Cohort.Builder builder = Cohort.builder(backend);
    Long joinWindowMicros = Long.getLong("bench.writeJoinWindowMicros");
    if (joinWindowMicros != null) {
      builder.writeJoinWindow(java.time.Duration.ofNanos(joinWindowMicros * 1000));
    }
    return builder.build();
  }

  private double lockUncontendedCohort(EtcdBackend backend, int cycles, double[] req) throws Exception {
    try (Cohort client = cohortOn(backend)) {
      client.start();
      DistributedLock lock = new DistributedLock(client, "/locks/u");
      lock.acquire(); // the first cycle creates the lock's directory
      lock.release();
      long r0 = requests();
      long t0 = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        lock.acquire();
        lock.release();
      }
      double rate = perSecond(cycles, System.nanoTime() - t0);
      req[0] = (requests() - r0) / (double) cycles;
      return rate;
    }
  }

  private double lockUncontendedJetcd(Client jetcd, int cycles, double[] req) throws Exception {
    long lease = jetcd.getLeaseClient().grant(30).get().getID();
    try {
      long r0 = requests();
      long t0 = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        ByteSequence key = jetcd.getLockClient().lock(bytes("/jlocks/u"), lease).get().getKey();
        jetcd.getLockClient().unlock(key).get();
      }
      double rate = perSecond(cycles, System.nanoTime() - t0);
      req[0] = (requests() - r0) / (double) cycles;
      return rate;
    } finally {
      jetcd.getLeaseClient().revoke(lease).get();
    }
  }

  private double handoffsCohort(EtcdBackend backend, int sessions, Duration duration, double[] req) throws Exception {
    List<Cohort> clients = new ArrayList<>();
    AtomicLong cycles = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < sessions; i++) {
        Cohort client = cohortOn(backend);
        client.start();
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
      return timed(threads, stop, cycles, duration, req);
    } finally {
      clients.forEach(Cohort::close);
    }
  }

  private double handoffsJetcd(int sessions, Duration duration, double[] req) throws Exception {
    List<Client> clients = new ArrayList<>();
    AtomicLong cycles = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < sessions; i++) {
        Client c = Client.builder().endpoints(endpoint).build();
        clients.add(c);
        long lease = c.getLeaseClient().grant(30).get().getID();
        threads.add(new Thread(() -> {
          while (!stop.get()) {
            try {
              ByteSequence key = c.getLockClient().lock(bytes("/jlocks/h" + sessions), lease).get().getKey();
              cycles.incrementAndGet();
              c.getLockClient().unlock(key).get();
            } catch (InterruptedException e) {
              return;
            } catch (Exception e) {
              // a failed round: go on
            }
          }
        }));
      }
      return timed(threads, stop, cycles, duration, req);
    } finally {
      clients.forEach(Client::close);
    }
  }

  private double timed(List<Thread> threads, AtomicBoolean stop, AtomicLong cycles, Duration duration, double[] req)
      throws InterruptedException {
    threads.forEach(Thread::start);
    long startCount = cycles.get();
    long r0 = requests();
    long t0 = System.nanoTime();
    Thread.sleep(duration.toMillis()); // a benchmark's measuring window, not a wait for a condition
    long n = cycles.get() - startCount;
    long elapsed = System.nanoTime() - t0;
    req[0] = (requests() - r0) / (double) Math.max(1, n);
    stop.set(true);
    for (Thread t : threads) {
      t.interrupt();
      t.join(10_000);
    }
    return perSecond(n, elapsed);
  }

  // ---------------------------------------------------------------- leader handover

  /** Median ms from the leader's close to the next participant knowing it leads. */
  private static double leaderHandoverCohort(EtcdBackend backend, int handovers) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int h = 0; h < handovers; h++) {
      try (Cohort a = cohortOn(backend); Cohort b = cohortOn(backend)) {
        a.start();
        b.start();
        times.add(CohortScenarios.leaderHandoverMillis(a, b, "/election/" + h));
      }
    }
    return median(times);
  }


  /** Median ms from the leader's resign to the waiting campaigner's campaign returning. */
  private static double leaderHandoverJetcd(Client jetcd, int handovers) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int h = 0; h < handovers; h++) {
      ByteSequence name = bytes("/jelection/" + h);
      long la = jetcd.getLeaseClient().grant(30).get().getID();
      long lb = jetcd.getLeaseClient().grant(30).get().getID();
      LeaderKey a = jetcd.getElectionClient().campaign(name, la, bytes("a")).get().getLeader();
      var b = jetcd.getElectionClient().campaign(name, lb, bytes("b"));
      // b's campaign is in line once the election lists two candidates' keys
      while (jetcd.getKVClient().get(name, io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build())
          .get().getCount() < 2) {
        Thread.onSpinWait();
      }
      long t0 = System.nanoTime();
      jetcd.getElectionClient().resign(a).get();
      b.get(30, TimeUnit.SECONDS);
      times.add((System.nanoTime() - t0) / 1e6);
      jetcd.getLeaseClient().revoke(la).get();
      jetcd.getLeaseClient().revoke(lb).get();
    }
    return median(times);
  }

  // ---------------------------------------------------------------- helpers

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return sorted.get(sorted.size() / 2);
  }

  private static double perSecond(long n, long nanos) {
    return n * 1e9 / nanos;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static void awaitServing(Client jetcd) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      try {
        jetcd.getKVClient().put(bytes("/bench-ready"), ByteSequence.EMPTY).get(1, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        Thread.sleep(100); // polling a server that is starting, in a benchmark's main
      }
    }
    throw new IllegalStateException("etcd did not serve within a minute");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
