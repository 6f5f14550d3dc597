package dev.cohort.testing;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the fixture knows about each backend: the faults it offers, how runs on it are named, the
 * classes it needs at run time and the artifact that brings them, and how to start one.
 *
 * <p>Adding a backend: a {@link BackendKind} constant, an arm in each switch below (the compiler
 * lists them), and an {@link Engine} class of its own. A backend whose jars are optional for
 * {@code testing} lists them in {@link #runtimeOf}, names the artifact that brings them in {@link
 * #bundleOf} and a resource only that artifact carries in {@link #bundleMarker}, so that the
 * missing-class message can tell a missing bundle from a broken one. The engine class is reached
 * only through {@link #start}, after the runtime check, so that its imports load nothing before.
 */
final class Engines {
  private Engines() {}

  static Set<Fault> faultsOf(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY, Fault.VIRTUAL_TIME);
      case REPLICATED -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY, Fault.REPLICAS);
      case ZOOKEEPER -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY);
      case ETCD -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT);
    };
  }

  /** How reports name a run on {@code kind} ({@code replicas} counts for the replicated backend). */
  static String label(BackendKind kind, int replicas) {
    return switch (kind) {
      case IN_MEMORY -> "in-memory";
      case REPLICATED -> "replicated (" + replicas + (replicas == 1 ? " replica)" : " replicas)");
      case ZOOKEEPER -> "zookeeper";
      case ETCD -> "etcd";
    };
  }

  /**
   * The classes a backend needs beyond {@code testing}'s own dependencies, one per artifact.
   * ZooKeeper's pom declares metrics-core and snappy-java "provided", so they do not come with it;
   * a server started without them fails deep inside ZooKeeper (request metrics need metrics-core,
   * snapshots snappy-java).
   */
  static List<Needed> runtimeOf(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY, REPLICATED -> List.of();
      case ZOOKEEPER -> List.of(
          new Needed("dev.cohort.zookeeper.ZooKeeperBackend", "dev.cohort.zookeeper.", "dev.cohort:backend-zookeeper"),
          new Needed("org.apache.zookeeper.server.ZooKeeperServer", "org.apache.zookeeper.", "org.apache.zookeeper:zookeeper"),
          new Needed("org.apache.jute.Record", "org.apache.jute.", "org.apache.zookeeper:zookeeper-jute"),
          new Needed("com.codahale.metrics.Reservoir", "com.codahale.metrics.", "io.dropwizard.metrics:metrics-core"),
          new Needed("org.xerial.snappy.SnappyInputStream", "org.xerial.snappy.", "org.xerial.snappy:snappy-java"));
      // backend-etcd's pom brings jetcd and its gRPC tree at compile scope: one dependency is enough
      case ETCD -> List.of(
          new Needed("dev.cohort.etcd.EtcdBackend", "dev.cohort.etcd.", "dev.cohort:backend-etcd"),
          new Needed("io.etcd.jetcd.Client", "io.etcd.jetcd.", "io.etcd:jetcd-core"),
          new Needed("io.grpc.ManagedChannel", "io.grpc.", "io.grpc:grpc-api"));
    };
  }

  /**
   * The one test dependency that brings everything {@link #runtimeOf} lists for {@code kind}: a
   * bundle that replaces {@code testing} (ZooKeeper's, whose pom leaves out what its server needs),
   * or the backend itself when its pom brings the rest (etcd's), added next to {@code testing}.
   */
  static String bundleOf(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY, REPLICATED -> "dev.cohort:testing";
      case ZOOKEEPER -> "dev.cohort:testing-zookeeper";
      case ETCD -> "dev.cohort:backend-etcd";
    };
  }

  /** A resource that is on the class path exactly when {@link #bundleOf} is. */
  private static String bundleMarker(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY, REPLICATED -> "dev/cohort/testing/CohortFixture.class";
      case ZOOKEEPER -> "META-INF/cohort/testing-zookeeper.properties";
      case ETCD -> "dev/cohort/etcd/EtcdBackend.class";
    };
  }

  /** What to add when {@link #bundleOf} is missing. */
  private static String addBundle(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY, REPLICATED, ZOOKEEPER -> "add the test dependency " + bundleOf(kind)
          + " (instead of dev.cohort:testing), which brings the fixture, the backend and everything it needs at run time";
      case ETCD -> "add the test dependency " + bundleOf(kind)
          + " (next to dev.cohort:testing), which brings the backend and the etcd client it needs at run time";
    };
  }

  static Engine start(BackendKind kind, int replicas) {
    return switch (kind) {
      case IN_MEMORY -> new InMemoryEngine();
      case REPLICATED -> new ReplicatedEngine(replicas);
      case ZOOKEEPER -> startChecked(kind, ZooKeeperEngine::new);
      case ETCD -> startChecked(kind, EtcdEngine::new);
    };
  }

  /** A class a backend needs, the package prefix its artifact owns, and the artifact. */
  record Needed(String className, String packagePrefix, String artifact) {}

  /**
   * Why a fixture of {@code kind} cannot start in this JVM (its jars are missing), or empty when it
   * can. Loads no class of the backend.
   */
  static Optional<String> unavailable(BackendKind kind) {
    return unavailable(kind, Engines.class.getClassLoader());
  }

  /** {@link #unavailable(BackendKind)} as seen from {@code loader}. */
  static Optional<String> unavailable(BackendKind kind, ClassLoader loader) {
    try {
      requireRuntime(kind, loader);
      return Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static Engine startChecked(BackendKind kind, Supplier<Engine> engine) {
    ClassLoader loader = Engines.class.getClassLoader();
    requireRuntime(kind, loader);
    try {
      return engine.get();
    } catch (NoClassDefFoundError e) {
      // a class the up-front check does not name, missing deeper inside the backend's libraries
      String missing = String.valueOf(e.getMessage()).replace('/', '.');
      throw missingClass(kind, loader, missing, artifactOf(kind, missing), e);
    }
  }

  /**
   * Checks that {@code loader} sees every class {@link #runtimeOf} lists for {@code kind}, without
   * initialising any of them.
   *
   * @throws IllegalStateException naming the first missing class, its artifact, and the one
   *     dependency that brings them all
   */
  static void requireRuntime(BackendKind kind, ClassLoader loader) {
    for (Needed needed : runtimeOf(kind)) {
      try {
        Class.forName(needed.className(), false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw missingClass(kind, loader, needed.className(), needed.artifact(), e);
      }
    }
  }

  private static String artifactOf(BackendKind kind, String className) {
    for (Needed needed : runtimeOf(kind)) {
      if (className.startsWith(needed.packagePrefix())) {
        return needed.artifact();
      }
    }
    return "a library the " + label(kind, 1) + " fixture needs";
  }

  private static IllegalStateException missingClass(BackendKind kind, ClassLoader loader, String className,
      String artifact, Throwable cause) {
    String bundle = bundleOf(kind);
    String advice = loader.getResource(bundleMarker(kind)) != null
        ? bundle + " is on the class path, but " + artifact + " was excluded from it or replaced by a "
            + "version without this class: let the build keep the version it brings"
        : addBundle(kind);
    return new IllegalStateException("the " + label(kind, 1) + " fixture cannot start: class " + className
        + " (from " + artifact + ") is not on the test class path; " + advice, cause);
  }
}
