package dev.cohort.bench.etcd;

import dev.cohort.etcd.EtcdBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
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
import java.util.concurrent.CountDownLatch;
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
    Process server = null;
    Path dir = null;
    if (etcd == null) {
      int client = freePort();
      int peer = freePort();
      Path shm = Path.of("/dev/shm");
      dir = Files.isWritable(shm) ? Files.createTempDirectory(shm, "bench-etcd-") : Files.createTempDirectory("bench-etcd-");
      etcd = "http://127.0.0.1:" + client;
      server = new ProcessBuilder("etcd", "--name", "b0", "--data-dir", dir.resolve("data").toString(),
          "--listen-client-urls", etcd, "--advertise-client-urls", etcd,
          "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
          "--initial-cluster", "b0=http://127.0.0.1:" + peer, "--log-level", "error", "--logger", "zap")
          .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
    }
    try {
      new EtcdSideBySide(etcd, quick).run();
    } finally {
      if (server != null) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        deleteTree(dir.toFile());
      }
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
      Session session = backend.openSession().get(30, TimeUnit.SECONDS);
      for (int r = 0; r < rounds; r++) {
        double[] c = rawCohort(session, ops, r);
        double[] j = rawJetcd(jetcd.getKVClient(), ops, r);
        for (int k = 0; k < 3; k++) {
          cohortRaw[k] = Math.max(cohortRaw[k], c[k]);
          jetcdRaw[k] = Math.max(jetcdRaw[k], j[k]);
        }
      }
      session.close();
      String[] names = {"put/create", "get/getData", "delete"};
      for (int k = 0; k < 3; k++) {
        row("raw " + names[k] + " (ops/s, 1 client)", cohortRaw[k], jetcdRaw[k], true);
      }
      double cu = 0;
      double ju = 0;
      for (int r = 0; r < rounds; r++) {
        cu = Math.max(cu, lockUncontendedCohort(backend, ops / 2));
        ju = Math.max(ju, lockUncontendedJetcd(jetcd, ops / 2));
      }
      row("lock acquire+release uncontended (cycles/s)", cu, ju, true);
      for (int sessions : new int[] {4, 16}) {
        Duration d = Duration.ofSeconds(quick ? 2 : 5);
        double c = handoffsCohort(backend, sessions, d);
        double j = handoffsJetcd(sessions, d);
        row("lock handoffs, " + sessions + " sessions (handoffs/s)", c, j, true);
      }
      int handovers = quick ? 3 : 10;
      double cl = leaderHandoverCohort(backend, handovers);
      double jl = leaderHandoverJetcd(jetcd, handovers);
      row("leader handover, median (ms)", cl, jl, false);
    }
    System.out.println("+------------------------------------------------+-----------+-----------+--------+");
    System.out.printf("| %-46s | %9s | %9s | %6s |%n", "scenario (etcd " + endpoint + ")", "Cohort", "jetcd", "ratio");
    System.out.println("+------------------------------------------------+-----------+-----------+--------+");
    rows.forEach(System.out::println);
    System.out.println("+------------------------------------------------+-----------+-----------+--------+");
    System.out.println("ratio: Cohort / jetcd for throughput, jetcd / Cohort for latency (>= 1.0: Cohort as good or better)");
  }

  private void row(String scenario, double cohort, double jetcd, boolean higherIsBetter) {
    double ratio = higherIsBetter ? cohort / jetcd : jetcd / cohort;
    rows.add(String.format("| %-46s | %9.1f | %9.1f | %6.2f |", scenario, cohort, jetcd, ratio));
  }

  // ---------------------------------------------------------------- raw

  private static double[] rawCohort(Session s, int ops, int round) throws Exception {
    String base = "/raw" + round + "-";
    long t0 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      s.create(base + i, DATA, CreateMode.PERSISTENT).get();
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      s.getData(base + i).get();
    }
    long t2 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      s.delete(base + i, -1).get();
    }
    long t3 = System.nanoTime();
    return new double[] {perSecond(ops, t1 - t0), perSecond(ops, t2 - t1), perSecond(ops, t3 - t2)};
  }

  private static double[] rawJetcd(KV kv, int ops, int round) throws Exception {
    String base = "/jraw" + round + "-";
    ByteSequence value = ByteSequence.from(DATA);
    long t0 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      kv.put(bytes(base + i), value).get();
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      kv.get(bytes(base + i)).get();
    }
    long t2 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      kv.delete(bytes(base + i)).get();
    }
    long t3 = System.nanoTime();
    return new double[] {perSecond(ops, t1 - t0), perSecond(ops, t2 - t1), perSecond(ops, t3 - t2)};
  }

  // ---------------------------------------------------------------- locks

  private static double lockUncontendedCohort(EtcdBackend backend, int cycles) throws Exception {
    try (Cohort client = Cohort.builder(backend).build()) {
      client.start();
      DistributedLock lock = new DistributedLock(client, "/locks/u");
      long t0 = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        lock.acquire();
        lock.release();
      }
      return perSecond(cycles, System.nanoTime() - t0);
    }
  }

  private static double lockUncontendedJetcd(Client jetcd, int cycles) throws Exception {
    long lease = jetcd.getLeaseClient().grant(30).get().getID();
    try {
      long t0 = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        ByteSequence key = jetcd.getLockClient().lock(bytes("/jlocks/u"), lease).get().getKey();
        jetcd.getLockClient().unlock(key).get();
      }
      return perSecond(cycles, System.nanoTime() - t0);
    } finally {
      jetcd.getLeaseClient().revoke(lease).get();
    }
  }

  private static double handoffsCohort(EtcdBackend backend, int sessions, Duration duration) throws Exception {
    List<Cohort> clients = new ArrayList<>();
    AtomicLong cycles = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < sessions; i++) {
        Cohort client = Cohort.builder(backend).build();
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
      return timed(threads, stop, cycles, duration);
    } finally {
      clients.forEach(Cohort::close);
    }
  }

  private double handoffsJetcd(int sessions, Duration duration) throws Exception {
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
      return timed(threads, stop, cycles, duration);
    } finally {
      clients.forEach(Client::close);
    }
  }

  private static double timed(List<Thread> threads, AtomicBoolean stop, AtomicLong cycles, Duration duration)
      throws InterruptedException {
    threads.forEach(Thread::start);
    long startCount = cycles.get();
    long t0 = System.nanoTime();
    Thread.sleep(duration.toMillis()); // a benchmark's measuring window, not a wait for a condition
    long n = cycles.get() - startCount;
    long elapsed = System.nanoTime() - t0;
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
      try (Cohort a = Cohort.builder(backend).build(); Cohort b = Cohort.builder(backend).build()) {
        a.start();
        b.start();
        CountDownLatch aLeads = new CountDownLatch(1);
        CountDownLatch bLeads = new CountDownLatch(1);
        LeaderLatch la = LeaderLatch.builder(a, "/election/" + h).id("a").build();
        la.addListener(listener(aLeads));
        la.start();
        aLeads.await(30, TimeUnit.SECONDS);
        LeaderLatch lb = LeaderLatch.builder(b, "/election/" + h).id("b").build();
        lb.addListener(listener(bLeads));
        lb.start();
        while (lb.participants().size() < 2) {
          Thread.onSpinWait(); // b is in line once its node is listed
        }
        long t0 = System.nanoTime();
        la.close();
        bLeads.await(30, TimeUnit.SECONDS);
        times.add((System.nanoTime() - t0) / 1e6);
        lb.close();
      }
    }
    return median(times);
  }

  private static LeaderLatchListener listener(CountDownLatch leads) {
    return new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        leads.countDown();
      }

      @Override
      public void notLeader(LeadershipTerm term) {}
    };
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

  private static void awaitServing(Client jetcd) throws InterruptedException {
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

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
