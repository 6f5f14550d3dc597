package dev.cohort.zookeeper;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * A real ZooKeeper ensemble of N servers (quorum peers) in this JVM, on free loopback ports, with
 * their data in one temporary directory that {@link #close()} deletes. Servers can be killed one by
 * one; the test can ask which one leads and which one a session is connected to.
 */
final class EmbeddedEnsemble implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /** QuorumPeerMain with its peer visible to the test. */
  private static final class Peer extends QuorumPeerMain {
    volatile boolean killed;

    QuorumPeer peer() {
      return quorumPeer;
    }
  }

  private final Path baseDir;
  private final List<Peer> peers = new ArrayList<>();
  private final List<Integer> clientPorts = new ArrayList<>();

  private EmbeddedEnsemble(Path baseDir) {
    this.baseDir = baseDir;
  }

  static EmbeddedEnsemble start(int size) {
    Path dir;
    try {
      dir = Files.createTempDirectory("cohort-zk-ensemble-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedEnsemble ensemble = new EmbeddedEnsemble(dir);
    try {
      ensemble.startPeers(size);
      await().atMost(START_TIMEOUT).until(ensemble::hasLeaderAndAllFollow);
      return ensemble;
    } catch (RuntimeException | IOException e) {
      ensemble.close();
      throw new IllegalStateException("ensemble did not start", e);
    }
  }

  private void startPeers(int size) throws IOException {
    int[] ports = freePorts(3 * size);
    StringJoiner servers = new StringJoiner("\n");
    for (int i = 0; i < size; i++) {
      clientPorts.add(ports[3 * i]);
    }
    List<Properties> configs = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Properties p = new Properties();
      Path data = baseDir.resolve("server" + (i + 1));
      Files.createDirectories(data);
      Files.writeString(data.resolve("myid"), Integer.toString(i + 1), StandardCharsets.US_ASCII);
      p.setProperty("tickTime", "100");
      p.setProperty("initLimit", "20");
      p.setProperty("syncLimit", "10");
      p.setProperty("dataDir", data.toString());
      p.setProperty("clientPort", Integer.toString(ports[3 * i]));
      p.setProperty("clientPortAddress", "127.0.0.1");
      p.setProperty("minSessionTimeout", "1000");
      p.setProperty("maxSessionTimeout", "60000");
      p.setProperty("reconfigEnabled", "false");
      for (int j = 0; j < size; j++) {
        p.setProperty("server." + (j + 1), "127.0.0.1:" + ports[3 * j + 1] + ":" + ports[3 * j + 2]);
      }
      configs.add(p);
    }
    for (int i = 0; i < size; i++) {
      Peer peer = new Peer();
      peers.add(peer);
      QuorumPeerConfig config = new QuorumPeerConfig();
      try {
        config.parseProperties(configs.get(i));
      } catch (QuorumPeerConfig.ConfigException e) {
        throw new IllegalStateException(e);
      }
      Thread t = new Thread(() -> {
        try {
          peer.runFromConfig(config);
        } catch (Exception e) {
          if (!peer.killed) {
            throw new IllegalStateException("server " + peer + " failed", e);
          }
        }
      }, "zk-peer-" + (i + 1));
      t.setDaemon(true);
      t.start();
    }
  }

  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  /** Every live server serves clients, one as leader. */
  boolean hasLeaderAndAllFollow() {
    int leaders = 0;
    for (Peer p : peers) {
      if (p.killed) {
        continue;
      }
      QuorumPeer q = p.peer();
      if (q == null) {
        return false;
      }
      ZooKeeperServer active = q.getActiveServer();
      if (active == null || !active.isRunning()) {
        return false;
      }
      QuorumPeer.ServerState state = q.getPeerState();
      if (state == QuorumPeer.ServerState.LEADING) {
        leaders++;
      } else if (state != QuorumPeer.ServerState.FOLLOWING) {
        return false;
      }
    }
    return leaders == 1;
  }

  String connectString() {
    StringJoiner s = new StringJoiner(",");
    clientPorts.forEach(port -> s.add("127.0.0.1:" + port));
    return s.toString();
  }

  String connectString(int server) {
    return "127.0.0.1:" + clientPorts.get(server);
  }

  /** Index of the leading server, or -1 while there is none. */
  int leader() {
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      QuorumPeer q = p.peer();
      if (!p.killed && q != null && q.getPeerState() == QuorumPeer.ServerState.LEADING) {
        return i;
      }
    }
    return -1;
  }

  /** Index of the server {@code sessionId} is connected to, or -1. */
  int serverOf(long sessionId) {
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      QuorumPeer q = p.peer();
      ZooKeeperServer active = q == null || p.killed ? null : q.getActiveServer();
      if (active == null || active.getServerCnxnFactory() == null) {
        continue;
      }
      for (ServerCnxn cnxn : active.getServerCnxnFactory().getConnections()) {
        if (cnxn.getSessionId() == sessionId) {
          return i;
        }
      }
    }
    return -1;
  }

  /** Stops server {@code index} at once, as if its machine had failed. */
  void kill(int index) {
    Peer p = peers.get(index);
    p.killed = true;
    p.close();
  }

  @Override
  public void close() {
    for (Peer p : peers) {
      if (!p.killed) {
        p.killed = true;
        p.close();
      }
    }
    TempDirs.deleteQuietly(baseDir);
  }
}
