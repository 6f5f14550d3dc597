package dev.cohort.testing;

import java.util.EnumSet;
import java.util.Set;

/** Which faults each backend offers, and how to start one. */
final class Engines {
  private Engines() {}

  static Set<Fault> faultsOf(BackendKind kind) {
    return switch (kind) {
      case IN_MEMORY -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY, Fault.VIRTUAL_TIME);
      case REPLICATED -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT, Fault.LOSE_REPLY, Fault.REPLICAS);
      case ZOOKEEPER -> EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT);
    };
  }

  static Engine start(BackendKind kind, int replicas) {
    return switch (kind) {
      case IN_MEMORY -> new InMemoryEngine();
      case REPLICATED -> new ReplicatedEngine(replicas);
      case ZOOKEEPER -> startZooKeeper();
    };
  }

  private static Engine startZooKeeper() {
    try {
      Class.forName("org.apache.zookeeper.server.ZooKeeperServer", false, Engines.class.getClassLoader());
      Class.forName("dev.cohort.zookeeper.ZooKeeperBackend", false, Engines.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("the ZooKeeper fixture needs dev.cohort:backend-zookeeper and "
          + "org.apache.zookeeper:zookeeper (plus io.dropwizard.metrics:metrics-core and "
          + "org.xerial.snappy:snappy-java) on the test class path; missing: " + e.getMessage(), e);
    }
    return new ZooKeeperEngine();
  }
}
