package dev.cohort.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Real etcd server processes on loopback ports with temporary data directories: one member, or a
 * cluster of several. The binary is {@code cohort.etcd.binary}, else {@code $ETCD_BINARY}, else
 * {@code etcd} on the PATH; a missing binary fails the test with how to install it.
 *
 * <p>Short raft timings (heartbeat 50 ms, election 500 ms) keep failover and the minimum lease TTL
 * (1 s) short. Each member logs to a file next to its data directory, on tmpfs when the machine
 * has {@code /dev/shm}.
 */
final class EtcdProcess implements AutoCloseable {

  static final String INSTALL_HINT = "etcd is not installed: the etcd backend's tests start a real etcd server. "
      + "Install it with `sudo apt-get install -y etcd-server` (Debian/Ubuntu), or point the system property "
      + "cohort.etcd.binary / the variable ETCD_BINARY at an etcd 3.4+ binary.";

  /** One member. */
  final class Member {
    final String name;
    final int clientPort;
    final int peerPort;
    final Path dataDir;
    Process process;

    Member(String name, int clientPort, int peerPort, Path dataDir) {
      this.name = name;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
      this.dataDir = dataDir;
    }

    String clientUrl() {
      return "http://127.0.0.1:" + clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    void start(boolean newCluster) {
      List<String> cmd = new ArrayList<>(List.of(binary(), "--name", name, "--data-dir", dataDir.toString(),
          "--listen-client-urls", clientUrl(), "--advertise-client-urls", clientUrl(),
          "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
          "--initial-cluster", initialCluster(), "--initial-cluster-token", token,
          "--initial-cluster-state", newCluster ? "new" : "existing",
          "--heartbeat-interval", "50", "--election-timeout", "500",
          "--logger", "zap", "--log-level", "warn", "--snapshot-count", "100000"));
      try {
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dataDir.resolveSibling(name + ".log").toFile()).start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start " + binary(), e);
      }
    }

    /** Kills the process at once (SIGKILL): a crash. */
    void kill() {
      if (process != null) {
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private final Path root;
  private final String token;
  final List<Member> members = new ArrayList<>();

  private EtcdProcess(int size) {
    try {
      // On tmpfs where there is one: etcd fsyncs its WAL on every write, and a test needs no
      // durability across a power cut, only across the kill of a process.
      Path shm = Path.of("/dev/shm");
      root = Files.isDirectory(shm) && Files.isWritable(shm)
          ? Files.createTempDirectory(shm, "cohort-etcd-")
          : Files.createTempDirectory("cohort-etcd-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    token = root.getFileName().toString();
    for (int i = 0; i < size; i++) {
      Path dir = root.resolve("m" + i + ".data");
      members.add(new Member("m" + i, freePort(), freePort(), dir));
    }
  }

  /** Starts {@code size} members and waits until the cluster serves requests. */
  static EtcdProcess start(int size) {
    binary();
    EtcdProcess cluster = new EtcdProcess(size);
    try {
      for (Member m : cluster.members) {
        m.start(true);
      }
      cluster.awaitServing(Duration.ofSeconds(60));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static volatile String binary;

  static String binary() {
    String b = binary;
    if (b != null) {
      return b;
    }
    List<String> candidates = new ArrayList<>();
    if (System.getProperty("cohort.etcd.binary") != null) {
      candidates.add(System.getProperty("cohort.etcd.binary"));
    }
    if (System.getenv("ETCD_BINARY") != null) {
      candidates.add(System.getenv("ETCD_BINARY"));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      candidates.add(dir + "/etcd");
    }
    candidates.add("/usr/bin/etcd");
    candidates.add("/usr/local/bin/etcd");
    binary = find(candidates);
    return binary;
  }

  /** The first executable candidate; none fails the test with how to install etcd. */
  static String find(List<String> candidates) {
    for (String c : candidates) {
      if (!c.isEmpty() && new File(c).canExecute()) {
        return c;
      }
    }
    throw new IllegalStateException(INSTALL_HINT + " (looked for: " + candidates + ")");
  }

  String initialCluster() {
    StringBuilder sb = new StringBuilder();
    for (Member m : members) {
      sb.append(sb.length() == 0 ? "" : ",").append(m.name).append('=').append(m.peerUrl());
    }
    return sb.toString();
  }

  String[] clientUrls() {
    return members.stream().map(Member::clientUrl).toArray(String[]::new);
  }

  /** Waits until a write through the live members succeeds. */
  void awaitServing(Duration atMost) {
    String[] urls = members.stream().filter(Member::alive).map(Member::clientUrl).toArray(String[]::new);
    try (Client c = Client.builder().endpoints(urls).waitForReady(false).build()) {
      Awaitility.await("etcd at " + String.join(",", urls) + " serving (logs in " + root + ")")
          .atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> {
            for (Member m : members) {
              if (m.process != null && !m.process.isAlive() && m.process.exitValue() != 137) {
                throw new IllegalStateException("etcd member " + m.name + " exited: see " + root);
              }
            }
            c.getKVClient().put(ByteSequence.from("/_ready".getBytes()), ByteSequence.EMPTY)
                .get(2, TimeUnit.SECONDS);
            return true;
          });
    }
  }

  /** The member that leads now. */
  Member leader() {
    try (Client c = Client.builder().endpoints(clientUrls()).waitForReady(false).build()) {
      for (Member m : members) {
        if (!m.alive()) {
          continue;
        }
        try {
          var status = c.getMaintenanceClient().statusMember(m.clientUrl()).get(5, TimeUnit.SECONDS);
          if (status.getLeader() == status.getHeader().getMemberId()) {
            return m;
          }
        } catch (Exception e) {
          // try the next member
        }
      }
    }
    throw new IllegalStateException("no member leads");
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Member m : members) {
      m.kill();
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  // ---------------------------------------------------------------- the shared single member

  private static EtcdProcess shared;

  /**
   * One single-member server for the whole test JVM: every fixture gets its own namespace on it,
   * which is as fresh as a new server and costs nothing to start. Stopped when the JVM exits.
   */
  static synchronized EtcdProcess shared() {
    if (shared == null || !shared.members.get(0).alive()) {
      shared = start(1);
      EtcdProcess s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-etcd"));
    }
    return shared;
  }
}
