package dev.cohort.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code cohort.*} properties: which backend to run on, how to reach it, and the client's
 * session settings. Bound by {@link CohortAutoConfiguration}; see the starter's README for a table.
 */
@ConfigurationProperties(prefix = "cohort")
public class CohortProperties {

  /** The coordination backends the starter can build. */
  public enum BackendType {
    /** An Apache ZooKeeper ensemble, reached through {@code cohort.zookeeper.*}. */
    ZOOKEEPER,
    /** Replicas of Cohort's own replicated backend inside this JVM; for development and demos. */
    REPLICATED,
    /** Cohort's in-memory backend inside this JVM; for development and tests. */
    IN_MEMORY
  }

  /** The ACL given to every node the ZooKeeper backend creates. */
  public enum ZooKeeperAcl {
    /** Anyone may do anything; fine on a private ensemble. */
    OPEN,
    /** Only the authenticated creator may read or change a node; needs {@code cohort.zookeeper.auth}. */
    CREATOR_ALL,
    /** The creator may change a node, anyone may read it; needs {@code cohort.zookeeper.auth}. */
    CREATOR_ALL_WORLD_READ
  }

  /**
   * The backend to run on: zookeeper, replicated or in-memory. Required, except that it defaults to
   * zookeeper when cohort.zookeeper.connect-string is set.
   */
  private BackendType backend;

  /** The session timeout the client asks for; the backend may grant another within its limits. */
  private Duration sessionTimeout = Duration.ofSeconds(30);

  /** How long start-up waits for the first session (and, on ZooKeeper, for a server to answer). */
  private Duration connectionTimeout = Duration.ofSeconds(15);

  /** The path every Cohort path lives under, such as /my-app; none when empty. */
  private String namespace;

  private final ZooKeeper zookeeper = new ZooKeeper();

  private final Replicated replicated = new Replicated();

  private final LockRegistry lockRegistry = new LockRegistry();

  private final Metrics metrics = new Metrics();

  /** @return the backend to run on: zookeeper, replicated or in-memory */
  public BackendType getBackend() {
    return backend;
  }

  /** @param backend the backend to run on: zookeeper, replicated or in-memory */
  public void setBackend(BackendType backend) {
    this.backend = backend;
  }

  /** @return the session timeout the client asks for; the backend may grant another within its limits */
  public Duration getSessionTimeout() {
    return sessionTimeout;
  }

  /** @param sessionTimeout the session timeout the client asks for; the backend may grant another within its limits */
  public void setSessionTimeout(Duration sessionTimeout) {
    this.sessionTimeout = sessionTimeout;
  }

  /** @return how long start-up waits for the first session (and, on ZooKeeper, for a server to answer) */
  public Duration getConnectionTimeout() {
    return connectionTimeout;
  }

  /** @param connectionTimeout how long start-up waits for the first session (and, on ZooKeeper, for a server to answer) */
  public void setConnectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = connectionTimeout;
  }

  /** @return the path every Cohort path lives under, such as /my-app; none when empty */
  public String getNamespace() {
    return namespace;
  }

  /** @param namespace the path every Cohort path lives under, such as /my-app; none when empty */
  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  /** @return the {@code zookeeper} settings */
  public ZooKeeper getZookeeper() {
    return zookeeper;
  }

  /** @return the {@code replicated} settings */
  public Replicated getReplicated() {
    return replicated;
  }

  /** @return the {@code lockRegistry} settings */
  public LockRegistry getLockRegistry() {
    return lockRegistry;
  }

  /** @return the {@code metrics} settings */
  public Metrics getMetrics() {
    return metrics;
  }

  /** Settings of the ZooKeeper backend ({@code cohort.zookeeper.*}). */
  public static class ZooKeeper {

    /**
     * The ensemble: comma-separated host:port pairs, optionally followed by a chroot such as /app
     * (which must exist).
     */
    private String connectString;

    /**
     * Digest authentication as user:password; every session authenticates with it. The user may
     * not contain ':'; the password may.
     */
    private String auth;

    /** The ACL of every node created; the creator ACLs need cohort.zookeeper.auth. */
    private ZooKeeperAcl defaultAcl = ZooKeeperAcl.OPEN;

    /** @return the ensemble: comma-separated host:port pairs, optionally followed by a chroot such as /app (which must exist) */
    public String getConnectString() {
      return connectString;
    }

    /** @param connectString the ensemble: comma-separated host:port pairs, optionally followed by a chroot such as /app (which must exist) */
    public void setConnectString(String connectString) {
      this.connectString = connectString;
    }

    /** @return digest authentication as user:password; every session authenticates with it */
    public String getAuth() {
      return auth;
    }

    /** @param auth digest authentication as user:password; every session authenticates with it */
    public void setAuth(String auth) {
      this.auth = auth;
    }

    /** @return the ACL of every node created; the creator ACLs need cohort.zookeeper.auth */
    public ZooKeeperAcl getDefaultAcl() {
      return defaultAcl;
    }

    /** @param defaultAcl the ACL of every node created; the creator ACLs need cohort.zookeeper.auth */
    public void setDefaultAcl(ZooKeeperAcl defaultAcl) {
      this.defaultAcl = defaultAcl;
    }
  }

  /** Settings of the in-JVM replicated backend ({@code cohort.replicated.*}). */
  public static class Replicated {

    /** How many replicas to run in this JVM: 1, 3, 5 or 7. */
    private int replicas = 3;

    /**
     * Where each replica keeps its log and snapshots (replica-N below it), so a restart recovers
     * them; in memory only when unset.
     */
    private Path dataDirectory;

    /** @return how many replicas to run in this JVM: 1, 3, 5 or 7 */
    public int getReplicas() {
      return replicas;
    }

    /** @param replicas how many replicas to run in this JVM: 1, 3, 5 or 7 */
    public void setReplicas(int replicas) {
      this.replicas = replicas;
    }

    /** @return where each replica keeps its log and snapshots (replica-N below it), so a restart recovers them; in memory only when unset */
    public Path getDataDirectory() {
      return dataDirectory;
    }

    /** @param dataDirectory where each replica keeps its log and snapshots (replica-N below it), so a restart recovers them; in memory only when unset */
    public void setDataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
    }
  }

  /** Settings of the Spring Integration lock registry ({@code cohort.lock-registry.*}). */
  public static class LockRegistry {

    /** Whether to define a CohortLockRegistry bean when Spring Integration is on the class path. */
    private boolean enabled = true;

    /** The path (relative to the namespace) under which each lock key gets its own node. */
    private String path = "/locks";

    /** @return whether to define a CohortLockRegistry bean when Spring Integration is on the class path */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled whether to define a CohortLockRegistry bean when Spring Integration is on the class path */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** @return the path (relative to the namespace) under which each lock key gets its own node */
    public String getPath() {
      return path;
    }

    /** @param path the path (relative to the namespace) under which each lock key gets its own node */
    public void setPath(String path) {
      this.path = path;
    }
  }

  /** Settings of the metrics binding ({@code cohort.metrics.*}). */
  public static class Metrics {

    /**
     * Whether to record the auto-configured client's metrics through cohort-micrometer when that
     * module and a MeterRegistry bean are present.
     */
    private boolean enabled = true;

    /** How many leading segments of a recipe's path its meters' path tag keeps. */
    private int pathTagDepth = 2;

    /** @return whether to record the auto-configured client's metrics through cohort-micrometer when that module and a MeterRegistry bean are present */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled whether to record the auto-configured client's metrics through cohort-micrometer when that module and a MeterRegistry bean are present */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** @return how many leading segments of a recipe's path its meters' path tag keeps */
    public int getPathTagDepth() {
      return pathTagDepth;
    }

    /** @param pathTagDepth how many leading segments of a recipe's path its meters' path tag keeps */
    public void setPathTagDepth(int pathTagDepth) {
      this.pathTagDepth = pathTagDepth;
    }
  }
}
