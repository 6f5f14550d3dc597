package dev.cohort.testing;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Which faults each backend offers, and how to start one. */
final class Engines {
  private Engines() {}

  static Set<Fault> faultsOf(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY, Fault.VIRTUAL_TIME);
      case REPLICATED -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY, Fault.REPLICAS);
      case ZOOKEEPER -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY);
    };
  }

  static Engine start(BackendKind kind, int replicas) {
    return switch (kind) {
      case IN_MEMORY -> new InMemoryEngine();
      case REPLICATED -> new ReplicatedEngine(replicas);
      case ZOOKEEPER -> startZooKeeper();
    };
  }

  /**
   * The classes the ZooKeeper fixture needs at run time, one per artifact, with the artifact that
   * brings it. ZooKeeper's pom declares the last two "provided", so they do not come with it; a
   * server started without them fails deep inside ZooKeeper (snapshots need snappy-java, request
   * latency metrics metrics-core).
   */
  static final List<Needed> ZOOKEEPER_RUNTIME = List.of(
      new Needed("dev.cohort.zookeeper.ZooKeeperBackend", "dev.cohort.zookeeper.", "dev.cohort:backend-zookeeper"),
      new Needed("org.apache.zookeeper.server.ZooKeeperServer", "org.apache.zookeeper.", "org.apache.zookeeper:zookeeper"),
      new Needed("org.apache.jute.Record", "org.apache.jute.", "org.apache.zookeeper:zookeeper-jute"),
      new Needed("com.codahale.metrics.Reservoir", "com.codahale.metrics.", "io.dropwizard.metrics:metrics-core"),
      new Needed("org.xerial.snappy.SnappyInputStream", "org.xerial.snappy.", "org.xerial.snappy:snappy-java"));

  /** A class the fixture needs, the package prefix its artifact owns, and the artifact. */
  record Needed(String className, String packagePrefix, String artifact) {}

  /** A resource only the {@code testing-zookeeper} jar carries: tells a missing bundle from a broken one. */
  static final String BUNDLE_MARKER = "META-INF/cohort/testing-zookeeper.properties";

  /**
   * Why a fixture of {@code kind} cannot start in this JVM (its jars are missing), or empty when it
   * can. Loads no class of the backend.
   */
  static java.util.Optional<String> unavailable(BackendKind kind) {
    if (kind != BackendKind.ZOOKEEPER) {
      return java.util.Optional.empty();
    }
    try {
      requireZooKeeperRuntime(Engines.class.getClassLoader());
      return java.util.Optional.empty();
    } catch (IllegalStateException e) {
      return java.util.Optional.of(e.getMessage());
    }
  }

  private static Engine startZooKeeper() {
    requireZooKeeperRuntime(Engines.class.getClassLoader());
    try {
      return new ZooKeeperEngine();
    } catch (NoClassDefFoundError e) {
      // a class the up-front check does not name, missing deeper inside ZooKeeper
      String missing = String.valueOf(e.getMessage()).replace('/', '.');
      throw missingZooKeeperClass(Engines.class.getClassLoader(), missing, artifactOf(missing), e);
    }
  }

  /**
   * Checks that {@code loader} sees every class of {@link #ZOOKEEPER_RUNTIME}, without loading
   * any of them.
   *
   * @throws IllegalStateException naming the first missing class, its artifact, and the one
   *     dependency that brings them all
   */
  static void requireZooKeeperRuntime(ClassLoader loader) {
    for (Needed needed : ZOOKEEPER_RUNTIME) {
      try {
        Class.forName(needed.className(), false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw missingZooKeeperClass(loader, needed.className(), needed.artifact(), e);
      }
    }
  }

  private static String artifactOf(String className) {
    for (Needed needed : ZOOKEEPER_RUNTIME) {
      if (className.startsWith(needed.packagePrefix())) {
        return needed.artifact();
      }
    }
    return "a library the embedded ZooKeeper server needs";
  }

  private static IllegalStateException missingZooKeeperClass(ClassLoader loader, String className,
      String artifact, Throwable cause) {
    boolean bundlePresent = loader.getResource(BUNDLE_MARKER) != null;
    String advice = bundlePresent
        ? "dev.cohort:testing-zookeeper is on the class path, but " + artifact + " was excluded from it "
            + "or replaced by a version without this class: let the build keep the version it brings"
        : "add the test dependency dev.cohort:testing-zookeeper (instead of dev.cohort:testing), which "
            + "brings the fixture, the ZooKeeper backend, the server and what the server needs at run time";
    return new IllegalStateException("the ZooKeeper fixture cannot start: class " + className + " (from "
        + artifact + ") is not on the test class path; " + advice, cause);
  }
}
