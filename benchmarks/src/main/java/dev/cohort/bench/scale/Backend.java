package dev.cohort.bench.scale;

import dev.cohort.bench.zookeeper.EmbeddedServer;
import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.nio.file.Files;
import java.nio.file.Path;

/** The backends the sweep runs on; each point gets a fresh instance, so no point sees another's nodes. */
public enum Backend {
  /** The in-memory backend, one JVM. */
  INMEMORY("inmemory", "in-memory"),
  /** The replicated backend: three in-process replicas, real-time driver, no data directory. */
  REPLICATED("replicated", "replicated"),
  /** The ZooKeeper backend on a standalone embedded server (default fsync) in this JVM. */
  ZOOKEEPER("zookeeper", "ZooKeeper");

  private final String key;
  private final String label;

  Backend(String key, String label) {
    this.key = key;
    this.label = label;
  }

  /** The name used on the command line. */
  public String key() {
    return key;
  }

  /** The name used in tables and charts. */
  public String label() {
    return label;
  }

  /** The backend named {@code key} on the command line. */
  public static Backend parse(String key) {
    for (Backend b : values()) {
      if (b.key.equalsIgnoreCase(key.trim()) || b.label.equalsIgnoreCase(key.trim())) {
        return b;
      }
    }
    throw new IllegalArgumentException("unknown backend '" + key + "': one of inmemory, replicated, zookeeper");
  }

  /** A started backend and what must be closed with it. */
  Opened open() throws Exception {
    switch (this) {
      case INMEMORY:
        return new Opened(InMemoryBackend.create(), null, null);
      case REPLICATED:
        return new Opened(ReplicatedBackend.create(), null, null);
      case ZOOKEEPER: {
        Path dir = Files.createTempDirectory("cohort-scale-zk");
        EmbeddedServer server = EmbeddedServer.start(dir, 0); // one connection per session, as many as a point opens
        return new Opened(ZooKeeperBackend.connect(server.connectString()), server, dir);
      }
      default:
        throw new AssertionError(this);
    }
  }

  /** An open backend; closing it stops the embedded server, if any, and deletes its directory. */
  record Opened(CoordinationBackend backend, EmbeddedServer server, Path dir) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        backend.close();
      } finally {
        if (server != null) {
          server.close();
          EmbeddedServer.delete(dir);
        }
      }
    }
  }
}
