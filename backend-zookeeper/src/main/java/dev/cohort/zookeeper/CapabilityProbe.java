package dev.cohort.zookeeper;

import dev.cohort.spi.Capability;
import dev.cohort.spi.ConnectionLossException;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an ensemble which optional features it has, without changing its data.
 *
 * <p>Persistent watches: a persistent watch is added on the root (it dies with the probe's session);
 * servers before 3.6 answer UNIMPLEMENTED. TTL nodes: a TTL node is created under a parent that does
 * not exist; a server with TTL disabled refuses the mode (UNIMPLEMENTED) before looking at the
 * path, one with TTL enabled answers NONODE, and nothing is written either way. Container nodes are
 * in every server this backend supports.
 */
final class CapabilityProbe {

  private static final Logger LOG = LoggerFactory.getLogger(CapabilityProbe.class);
  private static final String MISSING_PARENT = "/cohort-capability-probe-parent-that-does-not-exist";
  private static final int PROBE_SESSION_TIMEOUT_MS = 10_000;

  private CapabilityProbe() {}

  static Set<Capability> probe(String connectString, Duration connectionTimeout, String scheme, byte[] auth) {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk;
    try {
      zk = new ZooKeeper(connectString, PROBE_SESSION_TIMEOUT_MS, e -> {
        if (e.getState() == KeeperState.SyncConnected) {
          connected.countDown();
        }
      });
    } catch (IOException e) {
      throw new ConnectionLossException(null, "cannot create a ZooKeeper client: " + e);
    }
    try {
      if (scheme != null) {
        zk.addAuthInfo(scheme, auth);
      }
      if (!connected.await(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new ConnectionLossException(null,
            "no connection to " + connectString + " within " + connectionTimeout + " (capability probe)");
      }
      Set<Capability> caps = EnumSet.of(Capability.CONTAINER_NODES);
      if (answers(zk, () -> zk.addWatch("/", AddWatchMode.PERSISTENT))) {
        caps.add(Capability.PERSISTENT_WATCHES);
      }
      if (answers(zk, () -> zk.create(MISSING_PARENT + "/ttl", new byte[0],
          ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 1))) {
        caps.add(Capability.TTL_NODES);
      }
      LOG.debug("ensemble {} has {}", connectString, caps);
      return caps;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionLossException(null, "interrupted while probing " + connectString);
    } finally {
      try {
        zk.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private interface Call {
    void run() throws KeeperException, InterruptedException;
  }

  /** Whether the server understood the request (any answer but UNIMPLEMENTED). */
  private static boolean answers(ZooKeeper zk, Call call) throws InterruptedException {
    try {
      call.run();
      return true;
    } catch (KeeperException.UnimplementedException e) {
      return false;
    } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException e) {
      throw new ConnectionLossException(null, "lost the connection while probing: " + e.getMessage());
    } catch (KeeperException e) {
      return true;
    }
  }
}
