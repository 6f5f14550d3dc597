package dev.cohort.spring.boot.autoconfigure;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spring.boot.autoconfigure.CohortProperties.BackendType;
import dev.cohort.zookeeper.ZooKeeperBackend;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;

/**
 * Builds the backend {@code cohort.backend} names. Each backend lives in its own optional module,
 * so each is built by a nested class of its own: the JVM loads only the one chosen, and a missing
 * module is reported by name instead of as a {@link NoClassDefFoundError}.
 */
final class Backends {

  private Backends() {}

  static CoordinationBackend create(CohortProperties properties, ClassLoader classLoader) {
    BackendType type = type(properties);
    return switch (type) {
      case ZOOKEEPER -> {
        require("dev.cohort.zookeeper.ZooKeeperBackend", "backend-zookeeper", "zookeeper", classLoader);
        yield ZooKeeperFactory.create(properties);
      }
      case REPLICATED -> {
        require("dev.cohort.replicated.ReplicatedBackend", "backend-replicated", "replicated", classLoader);
        yield ReplicatedFactory.create(properties.getReplicated());
      }
      case IN_MEMORY -> {
        require("dev.cohort.inmemory.InMemoryBackend", "backend-inmemory", "in-memory", classLoader);
        yield InMemoryFactory.create();
      }
    };
  }

  /** The backend asked for; zookeeper when only a connect string is given. */
  static BackendType type(CohortProperties properties) {
    if (properties.getBackend() != null) {
      return properties.getBackend();
    }
    if (hasText(properties.getZookeeper().getConnectString())) {
      return BackendType.ZOOKEEPER;
    }
    throw new InvalidConfigurationPropertyValueException("cohort.backend", null,
        "Cohort needs a backend: set cohort.backend to zookeeper (with cohort.zookeeper.connect-string), "
            + "replicated or in-memory, or define a CoordinationBackend bean");
  }

  private static void require(String className, String artifact, String value, ClassLoader classLoader) {
    if (!ClassUtils.isPresent(className, classLoader)) {
      throw new InvalidConfigurationPropertyValueException("cohort.backend", value,
          "cohort.backend=" + value + " needs dev.cohort:" + artifact + " on the class path");
    }
  }

  static boolean hasText(String s) {
    return s != null && !s.isBlank();
  }

  /** Loaded only when cohort.backend=zookeeper. */
  private static final class ZooKeeperFactory {
    static CoordinationBackend create(CohortProperties properties) {
      CohortProperties.ZooKeeper zk = properties.getZookeeper();
      if (!hasText(zk.getConnectString())) {
        throw new InvalidConfigurationPropertyValueException("cohort.zookeeper.connect-string", null,
            "cohort.backend=zookeeper needs cohort.zookeeper.connect-string (host:port[,host:port...][/chroot])");
      }
      ZooKeeperBackend.Builder builder = ZooKeeperBackend.builder();
      try {
        builder.connectString(zk.getConnectString());
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigurationPropertyValueException("cohort.zookeeper.connect-string",
            zk.getConnectString(), e.getMessage());
      }
      builder.defaultSessionTimeout(properties.getSessionTimeout())
          .connectionTimeout(properties.getConnectionTimeout());
      if (hasText(zk.getAuth())) {
        String auth = zk.getAuth();
        int colon = auth.indexOf(':');
        if (colon <= 0) {
          // The value is a secret: never echo it.
          throw new InvalidConfigurationPropertyValueException("cohort.zookeeper.auth", "<hidden>",
              "digest authentication wants user:password with a non-empty user");
        }
        builder.digestAuth(auth.substring(0, colon), auth.substring(colon + 1));
      } else if (zk.getDefaultAcl() != CohortProperties.ZooKeeperAcl.OPEN) {
        throw new InvalidConfigurationPropertyValueException("cohort.zookeeper.default-acl", zk.getDefaultAcl(),
            "a creator ACL needs cohort.zookeeper.auth (user:password)");
      }
      builder.defaultAcl(ZooKeeperBackend.DefaultAcl.valueOf(zk.getDefaultAcl().name()));
      return builder.build();
    }
  }

  /** Loaded only when cohort.backend=replicated. */
  private static final class ReplicatedFactory {
    static CoordinationBackend create(CohortProperties.Replicated replicated) {
      ReplicatedBackend.Builder builder = ReplicatedBackend.builder();
      try {
        builder.replicas(replicated.getReplicas());
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigurationPropertyValueException("cohort.replicated.replicas",
            replicated.getReplicas(), e.getMessage());
      }
      if (replicated.getDataDirectory() != null) {
        builder.dataDirectory(replicated.getDataDirectory());
      }
      return builder.build();
    }
  }

  /** Loaded only when cohort.backend=in-memory. */
  private static final class InMemoryFactory {
    static CoordinationBackend create() {
      return InMemoryBackend.create();
    }
  }
}
