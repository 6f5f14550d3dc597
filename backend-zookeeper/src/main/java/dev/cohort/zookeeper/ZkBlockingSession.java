package dev.cohort.zookeeper;

import dev.cohort.spi.BlockingSession;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.zookeeper.KeeperException;

/**
 * The blocking view of a {@link ZkSession}, over ZooKeeper's synchronous API.
 *
 * <p>Why it exists: a reply to an asynchronous request travels from the client's I/O thread to its
 * event thread, which runs the callback that completes the future, which then wakes the caller; a
 * reply to a synchronous request wakes the caller straight from the I/O thread. One thread hand-off
 * less per operation is what a caller that waits anyway gains.
 *
 * <p>Everything else is the asynchronous path's: each operation passes the same guard of {@link
 * ZkSession} (state, then arguments) before anything is sent, registers its watcher through the same
 * {@link WatcherAdapter} (ZooKeeper's watch registration is the same for both APIs: it happens on
 * the I/O thread when the reply arrives), and maps a failure through the same {@link ZkErrors}. Two
 * differences of ZooKeeper's synchronous API are evened out here: it returns a read multi whose ops
 * failed as a success, and it queues a request before it notices the caller was interrupted.
 *
 * <p>Requests sent here are not numbered in the session's issue order ({@code ZkSession.track}): their
 * replies may reach the caller before earlier callbacks have run on the event thread, so counting
 * them as completed could let a queued refusal overtake those callbacks.
 */
final class ZkBlockingSession implements BlockingSession {

  private final ZkSession session;

  ZkBlockingSession(ZkSession session) {
    this.session = session;
  }

  @Override
  public Created create(String path, byte[] data, CreateMode mode) throws InterruptedException {
    return doCreate(path, data, mode, null);
  }

  @Override
  public Created create(String path, byte[] data, CreateMode mode, Duration ttl) throws InterruptedException {
    return doCreate(path, data, Objects.requireNonNull(mode, "mode"), Objects.requireNonNull(ttl, "ttl"));
  }

  private Created doCreate(String path, byte[] data, CreateMode mode, Duration ttl) throws InterruptedException {
    send(session.createRefusal(path, data, mode, ttl));
    org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
    org.apache.zookeeper.CreateMode zkMode = ZkConversions.toCreateMode(mode);
    // Copied like the asynchronous path does: the request is serialized on the I/O thread, and the
    // caller's array may be shared with another thread.
    byte[] copy = data.clone();
    String name = call(path, () -> ttl == null
        ? session.handle().create(path, copy, session.acl(), zkMode, stat)
        : session.handle().create(path, copy, session.acl(), zkMode, stat, ttl.toMillis()));
    return new Created(name, session.toStat(stat));
  }

  @Override
  public void delete(String path, int version) throws InterruptedException {
    send(session.deleteRefusal(path));
    call(path, () -> {
      session.handle().delete(path, version);
      return null;
    });
  }

  @Override
  public Stat exists(String path, Watcher watcher) throws InterruptedException {
    send(session.pathRefusal(path));
    // Null for a missing node, with the watch (if any) set on its creation.
    org.apache.zookeeper.data.Stat stat = call(path, () -> session.handle().exists(path, ZkSession.adapt(watcher)));
    return stat == null ? null : session.toStat(stat);
  }

  @Override
  public NodeData getData(String path, Watcher watcher) throws InterruptedException {
    send(session.pathRefusal(path));
    org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
    byte[] data = call(path, () -> session.handle().getData(path, ZkSession.adapt(watcher), stat));
    return new NodeData(data == null ? new byte[0] : data, session.toStat(stat));
  }

  @Override
  public Stat setData(String path, byte[] data, int version) throws InterruptedException {
    send(session.setDataRefusal(path, data));
    byte[] copy = data.clone();
    return session.toStat(call(path, () -> session.handle().setData(path, copy, version)));
  }

  @Override
  public Children getChildren(String path, Watcher watcher) throws InterruptedException {
    send(session.pathRefusal(path));
    org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
    List<String> names = call(path, () -> session.handle().getChildren(path, ZkSession.adapt(watcher), stat));
    return new Children(names, session.toStat(stat));
  }

  @Override
  public void sync(String path) throws InterruptedException {
    send(session.pathRefusal(path));
    call(path, () -> {
      session.handle().sync(path);
      return null;
    });
  }

  @Override
  public List<OpResult> multi(List<Op> ops) throws InterruptedException {
    send(session.multiRefusal(ops));
    List<org.apache.zookeeper.OpResult> results;
    try {
      results = session.handle().multi(session.toZkOps(ops));
    } catch (KeeperException e) {
      // A failed transaction carries its per-op results; a lost connection carries none.
      throw session.multiFailure(e.code().intValue(), e.getResults(), ops);
    } catch (IllegalArgumentException e) {
      throw ZkErrors.clientFailure(e, null);
    }
    CoordinationException failed = session.multiFailure(0, results, ops);
    if (failed != null) {
      throw failed;
    }
    return session.toResults(results);
  }

  /**
   * Throws the guard's refusal, if any; then, if the caller was interrupted, {@link
   * InterruptedException} before the request is queued (ZooKeeper would queue it first, and it would
   * take effect unseen).
   */
  private static void send(CoordinationException refused) throws InterruptedException {
    if (refused != null) {
      throw refused;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before the operation was sent");
    }
  }

  /** One call of ZooKeeper's synchronous API, its failures mapped as the asynchronous path maps them. */
  @FunctionalInterface
  private interface ZkCall<T> {
    T run() throws KeeperException, InterruptedException;
  }

  /**
   * Runs {@code call}, turning its failures into the SPI's typed errors. Besides {@link
   * KeeperException}, ZooKeeper's synchronous API throws {@link IllegalArgumentException} when a
   * reply carries an error code the client does not know (a newer server's); the asynchronous API
   * hands such a code to its callback, which {@link ZkErrors} maps to a backend failure. The same
   * happens here, so that both views fail alike.
   */
  private <T> T call(String path, ZkCall<T> call) throws InterruptedException {
    try {
      return call.run();
    } catch (KeeperException e) {
      throw session.error(e.code().intValue(), path);
    } catch (IllegalArgumentException e) {
      throw ZkErrors.clientFailure(e, path);
    }
  }

  @Override
  public String toString() {
    return "blocking view of " + session;
  }
}
