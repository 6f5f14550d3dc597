package dev.cohort.testing;

import dev.cohort.etcd.EtcdBackend;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The etcd engine: one fixture's key prefix on the {@linkplain EtcdServer etcd process} this JVM
 * shares between its etcd fixtures.
 *
 * <p>Each fixture's backends live under {@code /cohort-fixture-<pid>-N}, so a test sees an empty
 * tree and never another fixture's nodes (nor another JVM's, should two share a server some day);
 * closing the fixture deletes every key under it. Starting one costs two backend objects: nothing
 * is written until a session opens.
 *
 * <p>Every session of the fixture's clients, and of {@code CohortFixture.openSession()}, reaches
 * the server through an {@link EtcdLink} of its own, so that one session can be cut off (crash,
 * disconnect) while the others carry on; sessions opened on {@code backend()} connect directly.
 * Expiry revokes the session's lease: etcd deletes its ephemerals at once, and the session's client
 * learns of it at its next renewal, as after a timeout. A real etcd cannot lose one reply on demand
 * nor run on a virtual clock, so those faults are not offered.
 */
final class EtcdEngine implements Engine {
  private static final AtomicLong NEXT_NAMESPACE = new AtomicLong(1);
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(20);

  private final EtcdServer server;
  private final String namespace;
  private final EtcdBackend backend;
  private final LinkedBackend clientBackend;

  EtcdEngine() {
    this.server = EtcdServer.shared();
    this.namespace = "/cohort-fixture-" + ProcessHandle.current().pid() + "-" + NEXT_NAMESPACE.getAndIncrement();
    this.backend = EtcdBackend.builder().endpoints(server.clientUrl()).namespace(namespace).build();
    this.clientBackend = new LinkedBackend(server.clientUrl(), namespace);
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  @Override
  public CoordinationBackend clientBackend() {
    return clientBackend;
  }

  /** Revokes the session's lease; etcd has deleted its keys when this returns. */
  @Override
  public void expire(Session session) {
    server.revoke(session.id());
  }

  /** Cuts the session's link for good: its lease is not renewed and etcd expires it in time. */
  @Override
  public void cutOff(Session session) {
    clientBackend.linkOf(session).ifPresent(EtcdLink::cut);
  }

  @Override
  public void release(Session session) {
    clientBackend.linkOf(session).ifPresent(EtcdLink::restore);
  }

  /**
   * Cuts the session's link; returns once its client has noticed (SUSPENDED), which it does when a
   * renewal fails: within a third of its timeout (at most a second) plus the client's connect timeout.
   */
  @Override
  public void disconnect(Session session) {
    requireLinked(session).cut();
    CohortFixture.awaitCondition(() -> !session.state().isConnected(),
        "session 0x" + Long.toHexString(session.id()) + " to notice it is cut off", CONTROL_TIMEOUT);
  }

  /** Restores the session's link; its next renewal reconnects it (RECONNECTED, or EXPIRED). */
  @Override
  public void reconnect(Session session) {
    requireLinked(session).restore();
  }

  private EtcdLink requireLinked(Session session) {
    return clientBackend.linkOf(session).orElseThrow(() -> new IllegalArgumentException("session 0x"
        + Long.toHexString(session.id()) + " does not connect through the fixture's relay: only sessions of the "
        + "fixture's clients and of fixture.openSession() can be cut off (those opened on fixture.backend() "
        + "connect directly)"));
  }

  /** Closes this fixture's backends and links, then deletes its keys; the shared server keeps running. */
  @Override
  public void close() {
    try {
      clientBackend.close();
      backend.close();
    } finally {
      server.deletePrefix(namespace + "/");
    }
  }

  /**
   * The backend the fixture's clients open sessions on: an {@link EtcdBackend} whose every session
   * connects through a new {@link EtcdLink}. Which link a session got is learned in {@link
   * #openSession}: the backend asks for a session's endpoints once, before {@code openSession}
   * returns, so under {@link #opening} the last link made is that session's.
   */
  private static final class LinkedBackend implements CoordinationBackend {
    private final int serverPort;
    private final EtcdBackend delegate;
    private final Object opening = new Object();
    /** Guarded by {@link #opening}: the link the session being opened got. */
    private EtcdLink lastLink;
    private final List<EtcdLink> links = new ArrayList<>();
    private final Map<Session, EtcdLink> linkBySession = new ConcurrentHashMap<>();

    LinkedBackend(String clientUrl, String namespace) {
      this.serverPort = URI.create(clientUrl).getPort();
      this.delegate = EtcdBackend.builder().endpoints(clientUrl).namespace(namespace)
          .sessionEndpoints(this::throughNewLink).build();
    }

    private List<URI> throughNewLink(List<URI> endpoints) {
      EtcdLink link = new EtcdLink(serverPort);
      synchronized (links) {
        links.add(link);
      }
      lastLink = link;
      return List.of(URI.create(link.url()));
    }

    @Override
    public CompletableFuture<Session> openSession(SessionConfig config) {
      CompletableFuture<Session> opened;
      EtcdLink link;
      synchronized (opening) {
        lastLink = null;
        opened = delegate.openSession(config);
        link = lastLink;
      }
      if (link == null) {
        return opened; // refused before it asked for endpoints (closed backend, bad config)
      }
      return opened.whenComplete((session, failure) -> {
        if (session != null) {
          linkBySession.put(session, link);
        } else {
          link.close();
        }
      });
    }

    Optional<EtcdLink> linkOf(Session session) {
      return Optional.ofNullable(linkBySession.get(session));
    }

    @Override
    public Set<Capability> capabilities() {
      return delegate.capabilities();
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public void close() {
      try {
        delegate.close();
      } finally {
        synchronized (links) {
          links.forEach(EtcdLink::close);
        }
      }
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
