package dev.cohort.zookeeper;

import static org.awaitility.Awaitility.await;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/**
 * A {@link BackendFixture} over a real ZooKeeper server started in this JVM for this fixture alone.
 *
 * <p>Sessions reach the server through a {@link LoopbackProxy}, so {@link #disconnect} cuts a real
 * TCP connection and the server keeps the session until its timeout, as in production. {@link
 * #expire} does what the ZooKeeper FAQ suggests: a second client handle attaches to the same session
 * (id and password) and closes it, so the server expires it for real — its ephemerals are deleted,
 * other sessions' watches fire, and the session's own client learns of it from the server. A lost
 * reply is dropped by the proxy after the server applied the request. Virtual time cannot be
 * offered: a real server runs on its own clock.
 */
public final class ZooKeeperFixture implements BackendFixture {

  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(20);
  static final Set<Capability> CAPABILITIES =
      EnumSet.of(Capability.PERSISTENT_WATCHES, Capability.CONTAINER_NODES, Capability.TTL_NODES);

  private final EmbeddedZooKeeper server;
  private final LoopbackProxy proxy;
  private final ZooKeeperBackend backend;

  public ZooKeeperFixture() {
    server = EmbeddedZooKeeper.start();
    proxy = new LoopbackProxy(server.port());
    // The capabilities of the embedded server are known; declaring them saves a probe per fixture
    // (ZooKeeperOperationsTest checks the probe finds the same).
    backend = ZooKeeperBackend.builder().connectString(clientConnectString(proxy))
        .capabilities(CAPABILITIES).build();
  }

  /**
   * The proxy's address listed twice. The ZooKeeper client sleeps a second before it tries again the
   * server it was last connected to once it has gone through the whole list; with a single entry
   * that is every reconnect (on top of its own random pause of up to a second). Two entries for the
   * same proxy spare the fault tests that second per cut without changing what they see: the same
   * server, the same session.
   */
  static String clientConnectString(LoopbackProxy proxy) {
    return proxy.connectString() + "," + proxy.connectString();
  }

  EmbeddedZooKeeper server() {
    return server;
  }

  LoopbackProxy proxy() {
    return proxy;
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  @Override
  public Set<FaultControl> faults() {
    return EnumSet.of(FaultControl.DISCONNECT, FaultControl.EXPIRE, FaultControl.LOSE_REPLY);
  }

  /** Returns once the session's client has noticed the cut (SUSPENDED). */
  @Override
  public void disconnect(Session session) {
    proxy.block(session.id());
    await().atMost(CONTROL_TIMEOUT).until(() -> session.state() != null && !session.state().isConnected());
  }

  /** Returns once the session's client is back (RECONNECTED) or has learned it expired. */
  @Override
  public void reconnect(Session session) {
    proxy.unblock(session.id());
    await().atMost(CONTROL_TIMEOUT)
        .until(() -> session.state() == SessionState.RECONNECTED || session.state().isTerminal());
  }

  /**
   * Returns once the server has expired the session (its ephemerals are gone) and, if the session
   * was connected, once its client has seen EXPIRED.
   */
  @Override
  public void expire(Session session) {
    boolean wasConnected = session.state().isConnected();
    expireOnServer(server.connectString(), session);
    if (wasConnected) {
      await().atMost(CONTROL_TIMEOUT).until(() -> session.state() == SessionState.EXPIRED);
    }
  }

  /**
   * Attaches a second handle to {@code session} on the server and closes it: a real expiry. A
   * session the server has already expired (a client that is just replacing an expired session
   * still names the old one) cannot be attached to: the server answers Expired, which is the state
   * asked for, so this returns at once instead of waiting for a connection that cannot come.
   */
  static void expireOnServer(String connectString, Session session) {
    ZkSession zk = (ZkSession) session;
    CountDownLatch answered = new CountDownLatch(1);
    try {
      ZooKeeper twin = new ZooKeeper(connectString, (int) session.sessionTimeout().toMillis(), e -> {
        if (e.getState() == KeeperState.SyncConnected || e.getState() == KeeperState.Expired) {
          answered.countDown();
        }
      }, zk.id(), zk.sessionPassword());
      try {
        if (!answered.await(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("could not attach to session 0x" + Long.toHexString(zk.id()));
        }
      } finally {
        twin.close(); // on a handle the server expired this only releases it
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The server applies the session's next request, but the reply is dropped on the way back and
   * the connection cut: the caller sees ConnectionLoss, the session goes SUSPENDED, then RECONNECTED
   * on its own.
   */
  @Override
  public void loseNextReply(Session session) {
    proxy.loseNextReply(session.id());
  }

  @Override
  public void advanceTime(Duration duration) {
    throw new UnsupportedOperationException("a real ZooKeeper server runs on its own clock");
  }

  /** The watches the server holds now, over every session: what watch-leak tests count. */
  public int registeredWatches() {
    return server.registeredWatches();
  }

  @Override
  public void close() {
    try {
      backend.close();
    } finally {
      proxy.close();
      server.close();
    }
  }
}
