package dev.cohort.zookeeper;

import dev.cohort.spi.Capability;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.SessionConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;

/**
 * The Cohort backend for a real Apache ZooKeeper ensemble, over the official ZooKeeper client
 * (3.9; servers 3.6 or later).
 *
 * <p>Each {@link Session} is one ZooKeeper client handle and one ZooKeeper session: the same
 * ephemerals, the same watches, the same ordering. Operations use the client's asynchronous API, so
 * futures complete, and watchers and state listeners run, on the handle's event thread in the order
 * ZooKeeper delivers them. Session states map as: first SyncConnected → CONNECTED, Disconnected →
 * SUSPENDED, SyncConnected again → RECONNECTED, Expired → EXPIRED, {@link Session#close()} → CLOSED.
 * ZooKeeper errors map to the SPI's typed errors with their retry meaning kept (ConnectionLoss,
 * operation timeouts and SessionMoved are all "outcome unknown"; authorization and quota failures
 * are {@link dev.cohort.spi.BackendFailureException} with the native cause attached).
 *
 * <p>The ensemble owns the data: closing this backend closes the sessions it opened (their
 * ephemerals go) and leaves everything else in place.
 *
 * <pre>{@code
 * CoordinationBackend zk = ZooKeeperBackend.builder()
 *     .connectString("zk1:2181,zk2:2181,zk3:2181/myapp")   // chroot: the app sees /myapp as /
 *     .defaultSessionTimeout(Duration.ofSeconds(15))
 *     .digestAuth("myapp", secret)
 *     .defaultAcl(ZooKeeperBackend.DefaultAcl.CREATOR_ALL)
 *     .build();
 * }</pre>
 *
 * <p>Session states, for recipes: SUSPENDED means the session may still live on the ensemble (its
 * ephemerals too) until the session timeout passes unheard, so ownership <em>may</em> be lost;
 * EXPIRED means the ensemble deleted the ephemerals and other sessions may own what this one did.
 * An expired session that was connected first sees SUSPENDED, since the server drops its connection.
 *
 * <p>Session timeout: the server grants a value within its {@code [minSessionTimeout,
 * maxSessionTimeout]} (by default 2 to 20 ticks, 4 s to 40 s). It bounds both how long a dead process
 * keeps its locks and how long a live one may be cut off without losing them; 10 to 15 s suits most
 * services. Keep the client's retry window under it and over a leader election (a few seconds).
 *
 * <p>Capabilities: unless declared with {@link Builder#capabilities(Set)}, {@link Builder#build()}
 * connects once and asks the ensemble: {@link Capability#PERSISTENT_WATCHES} (servers 3.6+),
 * {@link Capability#CONTAINER_NODES}, and {@link Capability#TTL_NODES} only when the servers run with
 * {@code zookeeper.extendedTypesEnabled=true}. {@link Capability#MULTI_EVENTS_PER_OP} is always
 * declared: it is how every ZooKeeper server fires a multi's watches.
 */
public final class ZooKeeperBackend implements CoordinationBackend {

  /** The ACL given to every node this backend creates. */
  public enum DefaultAcl {
    /** Anyone may do anything ({@code OPEN_ACL_UNSAFE}). Fine on a private ensemble. */
    OPEN,
    /** Only the authenticated creator may read or change the node; needs {@link Builder#digestAuth}. */
    CREATOR_ALL,
    /** The creator may change the node, anyone may read it; needs {@link Builder#digestAuth}. */
    CREATOR_ALL_WORLD_READ
  }

  /** Settings shared by the sessions of one backend; immutable. */
  record Settings(
      String connectString,
      Duration connectionTimeout,
      String authScheme,
      byte[] authData,
      List<ACL> acl,
      int maxDataBytes,
      Set<Capability> capabilities,
      String chroot,
      int packetLimit) {}

  private final Settings settings;
  private final Duration defaultSessionTimeout;
  private final ScheduledExecutorService timer;
  private final Set<ZkSession> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ZooKeeperBackend(Settings settings, Duration defaultSessionTimeout, ScheduledExecutorService timer) {
    this.settings = settings;
    this.defaultSessionTimeout = defaultSessionTimeout;
    this.timer = timer;
  }

  /** A builder; {@link Builder#connectString} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A backend for {@code connectString} with every other setting at its default. */
  public static ZooKeeperBackend connect(String connectString) {
    return builder().connectString(connectString).build();
  }

  /**
   * Opens a ZooKeeper session. The future completes once the ensemble accepted it, or fails with
   * {@link ConnectionLossException} if no server answered within the connection timeout.
   */
  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    Objects.requireNonNull(config, "config");
    if (closed) {
      return CompletableFuture.failedFuture(new SessionClosedException(null, "the backend is closed"));
    }
    ZkSession session = new ZkSession(this, settings, config.sessionTimeout());
    sessions.add(session);
    CompletableFuture<Session> opened = session.start();
    opened.whenComplete((s, e) -> {
      if (e != null) {
        sessions.remove(session);
      }
    });
    if (closed) {
      session.close();
    }
    return opened;
  }

  /** Opens a session with this backend's default session timeout. */
  @Override
  public CompletableFuture<Session> openSession() {
    return openSession(SessionConfig.withTimeout(defaultSessionTimeout));
  }

  @Override
  public Set<Capability> capabilities() {
    return settings.capabilities();
  }

  /**
   * 50 µs: every ZooKeeper transaction is synced to the server's log before it replies, and a
   * client's next write usually follows within a few microseconds when it follows at all.
   */
  @Override
  public java.time.Duration writeJoinWindow() {
    return WRITE_JOIN_WINDOW;
  }

  private static final java.time.Duration WRITE_JOIN_WINDOW = java.time.Duration.ofNanos(50_000);

  @Override
  public String name() {
    return "zookeeper";
  }

  /** The connect string this backend uses, including its chroot if any. */
  public String connectString() {
    return settings.connectString();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ZkSession session : new ArrayList<>(sessions)) {
      session.close();
    }
    timer.shutdownNow();
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  void forget(ZkSession session) {
    sessions.remove(session);
  }

  /**
   * Builds a {@link ZooKeeperBackend}. Not thread-safe; reusable.
   */
  public static final class Builder {
    private String connectString;
    private Duration defaultSessionTimeout = SessionConfig.DEFAULT_SESSION_TIMEOUT;
    private Duration connectionTimeout = Duration.ofSeconds(15);
    private String digestUser;
    private String digestPassword;
    private DefaultAcl defaultAcl = DefaultAcl.OPEN;
    private int maxDataBytes = DEFAULT_MAX_DATA_BYTES;
    private Set<Capability> capabilities;

    private Builder() {}

    /**
     * The ensemble: comma-separated {@code host:port} pairs, optionally followed by a chroot such as
     * {@code /myapp}, which then becomes the root every path of this backend is relative to (the
     * chroot node must exist).
     *
     * @throws IllegalArgumentException if it cannot be parsed
     */
    public Builder connectString(String connectString) {
      ConnectStrings.validate(connectString);
      this.connectString = connectString;
      return this;
    }

    /** The session timeout {@link ZooKeeperBackend#openSession()} asks for; default 30 s. */
    public Builder defaultSessionTimeout(Duration timeout) {
      this.defaultSessionTimeout = positive(timeout, "defaultSessionTimeout");
      return this;
    }

    /** How long opening a session (and the capability probe) waits for a server; default 15 s. */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive(timeout, "connectionTimeout");
      return this;
    }

    /** Authenticates every session with ZooKeeper's {@code digest} scheme as {@code user}. */
    public Builder digestAuth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.isEmpty() || user.contains(":")) {
        throw new IllegalArgumentException("digest user must be non-empty and contain no ':': " + user);
      }
      this.digestUser = user;
      this.digestPassword = password;
      return this;
    }

    /** The ACL of every node this backend creates; default {@link DefaultAcl#OPEN}. */
    public Builder defaultAcl(DefaultAcl acl) {
      this.defaultAcl = Objects.requireNonNull(acl, "acl");
      return this;
    }

    /**
     * The largest node data accepted, and the most data all the ops of one multi may carry
     * together; default {@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES} (1,000,000 bytes), the
     * limit every backend shares. Larger writes fail with {@link
     * dev.cohort.spi.DataTooLargeException} without being sent, and the session carries on.
     *
     * <p>Whatever this is, a request is also refused before it is sent when it would not fit one
     * ZooKeeper packet ({@code jute.maxbuffer}, 1,048,575 bytes by default, path, ACL and headers
     * included), or when the node could not be read back in one: a server drops the connection on
     * a larger packet instead of failing the request. To store more, raise {@code jute.maxbuffer}
     * on every server and client, then this.
     */
    public Builder maxDataBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxDataBytes must be positive: " + bytes);
      }
      this.maxDataBytes = bytes;
      return this;
    }

    /**
     * Declares the ensemble's capabilities instead of probing for them at {@link #build()}; use it
     * when the ensemble may be unreachable at start-up. {@link Capability#MULTI_EVENTS_PER_OP} is
     * added either way.
     */
    public Builder capabilities(Set<Capability> capabilities) {
      this.capabilities = Set.copyOf(Objects.requireNonNull(capabilities, "capabilities"));
      return this;
    }

    /**
     * Builds the backend. Unless {@link #capabilities(Set)} was given, connects to the ensemble once
     * to learn its capabilities.
     *
     * @throws IllegalStateException if no connect string was given, or a creator ACL without
     *     digest authentication
     * @throws ConnectionLossException if the capability probe reaches no server in time
     */
    public ZooKeeperBackend build() {
      if (connectString == null) {
        throw new IllegalStateException("connectString is required");
      }
      if (defaultAcl != DefaultAcl.OPEN && digestUser == null) {
        throw new IllegalStateException(defaultAcl + " needs digestAuth(user, password)");
      }
      String scheme = digestUser == null ? null : "digest";
      byte[] auth = digestUser == null ? null
          : (digestUser + ":" + digestPassword).getBytes(StandardCharsets.UTF_8);
      Set<Capability> caps = EnumSet.of(Capability.MULTI_EVENTS_PER_OP);
      // Every ZooKeeper server fires one event per op of a multi; only the optional features vary.
      caps.addAll(capabilities != null ? capabilities
          : CapabilityProbe.probe(connectString, connectionTimeout, scheme, auth));
      // The packet limit is the clients' jute.maxbuffer, which must be the servers' too (ZooKeeper's
      // administrator guide): the adapter refuses what the servers would drop with the connection.
      int packetLimit = new ZKClientConfig().getInt(ZKConfig.JUTE_MAXBUFFER,
          ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
      Settings settings = new Settings(connectString, connectionTimeout, scheme, auth,
          aclOf(defaultAcl), maxDataBytes, Set.copyOf(caps),
          new ConnectStringParser(connectString).getChrootPath(), packetLimit);
      return new ZooKeeperBackend(settings, defaultSessionTimeout, newTimer());
    }

    private static List<ACL> aclOf(DefaultAcl acl) {
      return switch (acl) {
        case OPEN -> ZooDefs.Ids.OPEN_ACL_UNSAFE;
        case CREATOR_ALL -> ZooDefs.Ids.CREATOR_ALL_ACL;
        case CREATOR_ALL_WORLD_READ -> {
          List<ACL> both = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
          both.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
          yield List.copyOf(both);
        }
      };
    }

    private static ScheduledExecutorService newTimer() {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "cohort-zookeeper-timer");
        t.setDaemon(true);
        return t;
      });
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
