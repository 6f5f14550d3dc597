package dev.cohort.etcd;

import static org.awaitility.Awaitility.await;

import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BackendFixture} over a real etcd server: the JVM's shared single member
 * ({@link EtcdProcess#shared()}), with a namespace of its own, so each fixture sees a fresh tree.
 *
 * <p>Each session's client reaches the server through its own {@link LoopbackProxy}: {@link
 * #disconnect} cuts that session's TCP connection, and the server keeps its lease until the TTL
 * passes, as in production. {@link #expire} revokes the session's lease from another client: etcd
 * deletes its ephemerals, other sessions' watches fire, and the session learns of it at its next
 * renewal. Lost replies and virtual time cannot be offered by a real server.
 */
public final class EtcdFixture implements BackendFixture {

  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(20);
  private static final AtomicLong NAMESPACES = new AtomicLong();

  private final EtcdProcess server;
  private final EtcdBackend backend;
  private final Map<URI, LoopbackProxy> proxies = new ConcurrentHashMap<>();
  private final List<LoopbackProxy> allProxies = new ArrayList<>();

  public EtcdFixture() {
    this(EtcdProcess.shared());
  }

  EtcdFixture(EtcdProcess server) {
    this.server = server;
    String namespace = "/t" + ProcessHandle.current().pid() + "-" + NAMESPACES.incrementAndGet();
    this.backend = EtcdBackend.builder()
        .endpoints(server.clientUrls())
        .namespace(namespace)
        .sessionEndpoints(this::throughProxies)
        .build();
  }

  private List<URI> throughProxies(List<URI> endpoints) {
    List<URI> out = new ArrayList<>();
    for (URI uri : endpoints) {
      LoopbackProxy proxy = new LoopbackProxy(uri.getPort());
      synchronized (allProxies) {
        allProxies.add(proxy);
      }
      URI through = URI.create(proxy.url());
      proxies.put(through, proxy);
      out.add(through);
    }
    return out;
  }

  EtcdProcess server() {
    return server;
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  @Override
  public Set<FaultControl> faults() {
    return EnumSet.of(FaultControl.DISCONNECT, FaultControl.EXPIRE);
  }

  @Override
  public int maxDataBytes() {
    return backend.maxDataBytes();
  }

  private List<LoopbackProxy> proxiesOf(Session session) {
    List<LoopbackProxy> out = new ArrayList<>();
    for (URI uri : ((EtcdSession) session).endpoints()) {
      out.add(proxies.get(uri));
    }
    return out;
  }

  /** Returns once the session's client has noticed the cut (SUSPENDED). */
  @Override
  public void disconnect(Session session) {
    proxiesOf(session).forEach(LoopbackProxy::block);
    await().atMost(CONTROL_TIMEOUT).until(() -> !session.state().isConnected());
  }

  /** Returns once the session is back (RECONNECTED) or has learned it expired. */
  @Override
  public void reconnect(Session session) {
    proxiesOf(session).forEach(LoopbackProxy::unblock);
    await().atMost(CONTROL_TIMEOUT)
        .until(() -> session.state() == SessionState.RECONNECTED || session.state().isTerminal());
  }

  /** Revokes the session's lease on the server; returns once a connected session has seen EXPIRED. */
  @Override
  public void expire(Session session) {
    boolean wasConnected = session.state().isConnected();
    revoke(server, session.id());
    if (wasConnected) {
      await().atMost(CONTROL_TIMEOUT).until(() -> session.state() == SessionState.EXPIRED);
    }
  }

  static void revoke(EtcdProcess server, long lease) {
    try (Client admin = Client.builder().endpoints(server.clientUrls()).build()) {
      admin.getLeaseClient().revoke(lease).get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not revoke lease " + Long.toHexString(lease), e);
    }
  }

  /** The one-shot watches the fixture's open sessions hold now. */
  public int registeredWatches() {
    return backend.registeredWatches();
  }

  /** The watch events the fixture's sessions have delivered so far. */
  public long watchEventsDelivered() {
    return backend.watchEventsDelivered();
  }

  @Override
  public void loseNextReply(Session session) {
    throw new UnsupportedOperationException("a real etcd server cannot drop one reply on demand");
  }

  @Override
  public void advanceTime(Duration duration) {
    throw new UnsupportedOperationException("a real etcd server runs on its own clock");
  }

  @Override
  public void close() {
    try {
      backend.close();
    } finally {
      synchronized (allProxies) {
        allProxies.forEach(LoopbackProxy::close);
      }
    }
  }
}
