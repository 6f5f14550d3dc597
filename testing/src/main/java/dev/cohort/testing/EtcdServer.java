package dev.cohort.testing;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The one etcd server process of this JVM that every etcd fixture shares: started by the first
 * fixture as a single member listening on 127.0.0.1 only, on ports the system picked, with its data
 * directory on tmpfs where the machine has {@code /dev/shm}; killed, and the directory deleted, by
 * a JVM shutdown hook.
 *
 * <p>Why shared: an etcd process takes about a second to start and elect itself, which a suite
 * would pay per test. Fixtures stay apart by key prefix instead ({@link #deletePrefix} removes a
 * fixture's at close). Lease ids are unique on the server, so expiring a session by its id cannot
 * touch another fixture's.
 *
 * <p>The binary is the system property {@code cohort.etcd.binary}, else {@code $ETCD_BINARY}, else
 * {@code etcd} on the PATH or in {@code /usr/bin}, {@code /usr/local/bin}; without one the fixture
 * fails with how to install it. Short raft timings (heartbeat 50 ms, election 500 ms) make the
 * member lead quickly. Its log goes to a file next to the data directory.
 *
 * <p>Thread-safe: the admin client is jetcd's thread-safe one; {@link #shared()} is synchronized.
 */
final class EtcdServer {
  static final String INSTALL_HINT = "the etcd fixture starts a real etcd server, and no etcd binary was found: "
      + "install one with `sudo apt-get install -y etcd-server` (Debian/Ubuntu; etcd 3.4 or later), or point "
      + "the system property cohort.etcd.binary or the variable ETCD_BINARY at an etcd binary";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final long ADMIN_TIMEOUT_MS = 20_000;

  /** Guarded by the class: the server, once one started and while its process lives. */
  private static EtcdServer shared;

  private final Path root;
  private final Process process;
  private final String clientUrl;
  private final Client admin;

  private EtcdServer(String binary) {
    try {
      // tmpfs where there is one: etcd fsyncs its WAL on every write, and a test needs no
      // durability beyond the life of the process.
      Path shm = Path.of("/dev/shm");
      root = Files.isDirectory(shm) && Files.isWritable(shm)
          ? Files.createTempDirectory(shm, "cohort-fixture-etcd-")
          : Files.createTempDirectory("cohort-fixture-etcd-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a data directory for etcd", e);
    }
    int clientPort = freePort();
    int peerPort = freePort();
    clientUrl = "http://127.0.0.1:" + clientPort;
    String peerUrl = "http://127.0.0.1:" + peerPort;
    List<String> command = List.of(binary, "--name", "fixture", "--data-dir", root.resolve("data").toString(),
        "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
        "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
        "--initial-cluster", "fixture=" + peerUrl, "--initial-cluster-token", root.getFileName().toString(),
        "--initial-cluster-state", "new", "--heartbeat-interval", "50", "--election-timeout", "500",
        "--logger", "zap", "--log-level", "warn", "--snapshot-count", "100000");
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(root.resolve("etcd.log").toFile()).start();
    } catch (IOException e) {
      deleteRoot();
      throw new UncheckedIOException("could not start " + binary, e);
    }
    admin = Client.builder().endpoints(clientUrl).waitForReady(false).build();
  }

  /** The JVM's server, started (and its shutdown hook registered) by the first call. */
  static synchronized EtcdServer shared() {
    if (shared == null || !shared.process.isAlive()) {
      EtcdServer server = start(binary());
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "cohort-fixture-etcd-stop"));
      shared = server;
    }
    return shared;
  }

  /**
   * Starts {@code binary} and waits until it serves; a start that fails is cleaned up and reported
   * with the end of etcd's log.
   */
  static EtcdServer start(String binary) {
    EtcdServer server = new EtcdServer(binary);
    try {
      server.awaitServing();
      return server;
    } catch (RuntimeException e) {
      String log = server.logTail();
      server.stop(); // deletes the log with the data
      throw new IllegalStateException(e.getMessage() + "; etcd's log ends with:\n" + log, e);
    }
  }

  /** The etcd binary this JVM's fixtures start; fails with how to install one. */
  static String binary() {
    List<String> candidates = new ArrayList<>();
    String property = System.getProperty("cohort.etcd.binary");
    if (property != null) {
      candidates.add(property);
    }
    String variable = System.getenv("ETCD_BINARY");
    if (variable != null) {
      candidates.add(variable);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(dir + File.separator + "etcd");
      }
    }
    candidates.add("/usr/bin/etcd");
    candidates.add("/usr/local/bin/etcd");
    return find(candidates);
  }

  /** The first executable candidate. */
  static String find(List<String> candidates) {
    for (String candidate : candidates) {
      if (!candidate.isEmpty() && new File(candidate).canExecute()) {
        return candidate;
      }
    }
    throw new IllegalStateException(INSTALL_HINT + " (looked for: " + candidates + ")");
  }

  String clientUrl() {
    return clientUrl;
  }

  /** Waits until a write succeeds, failing at once if the process exits. */
  private void awaitServing() {
    ByteSequence key = ByteSequence.from("/cohort-fixture-ready", StandardCharsets.UTF_8);
    CohortFixture.awaitCondition(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with status " + process.exitValue() + " while starting");
      }
      try {
        admin.getKVClient().put(key, ByteSequence.EMPTY).get(2, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        return false;
      }
    }, "etcd at " + clientUrl + " to serve", START_TIMEOUT);
  }

  /** Revokes lease {@code lease}: etcd deletes its keys at once, as when its TTL passes. */
  void revoke(long lease) {
    try {
      admin.getLeaseClient().revoke(lease).get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not revoke lease 0x" + Long.toHexString(lease) + " on " + clientUrl, e);
    }
  }

  /** Deletes every key that starts with {@code prefix}. */
  void deletePrefix(String prefix) {
    ByteSequence key = ByteSequence.from(prefix, StandardCharsets.UTF_8);
    try {
      admin.getKVClient().delete(key, DeleteOption.builder().isPrefix(true).build())
          .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not delete the keys under " + prefix + " on " + clientUrl, e);
    }
  }

  /** The last few lines etcd logged, for a start that failed. */
  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(root.resolve("etcd.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Kills the process (it holds nothing worth a graceful stop) and deletes its directory. */
  private void stop() {
    admin.close();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteRoot();
  }

  private void deleteRoot() {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: the directory is under a temporary root
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find a free port for etcd", e);
    }
  }
}
