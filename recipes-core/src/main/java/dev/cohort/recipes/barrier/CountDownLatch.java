package dev.cohort.recipes.barrier;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A count-down latch shared by processes: created with a count at a path, counted down by anyone,
 * and open for good once the count reaches zero, releasing everyone who awaits it.
 *
 * <p>How it works: the latch is a persistent node whose data holds the initial count, the current
 * count and the ids of the last 64 count-downs. {@link #countDown} writes the count minus one with
 * a version check against the state this object last saw (reading the node first only when it has
 * none, or when the check fails), recording a fresh id; a lost reply is resolved by reading
 * again and looking for that id, so a count-down counts at most once however often it is retried.
 * The count-down that reaches zero also creates the child {@code open} in the same atomic multi.
 * Waiters read the count once and, if it is above zero, set one watch on {@code open}: they sleep
 * through every other count-down and wake exactly once, when the latch opens.
 *
 * <p>Semantics: counts are persistent, so neither a session's expiry nor a client's crash undoes a
 * count-down that completed; a count-down on an open latch changes nothing; creating a latch where
 * one exists joins it if the initial counts match and fails with {@link
 * LatchCountMismatchException} if not. Latches are never deleted by this class.
 *
 * <p>Thread-safe. No method calls user code.
 */
public final class CountDownLatch {
  /** Makes count-down ids unique across processes whatever the clients' random sources. */
  private static final long JVM_NONCE = new SecureRandom().nextLong();
  private static final AtomicLong CALLS = new AtomicLong();
  private static final String OPEN = "open";

  private final Cohort client;
  private final String path;
  private final String openPath;
  private final long initial;
  /**
   * The state this object last read or wrote, or null: a count-down first tries its write against
   * it (one request when no one else counted meanwhile) and reads only when that fails. Replaced
   * whole; may be stale, which a version check catches.
   */
  private volatile Read last;
  /** Threads of this JVM waiting on the {@code open} watch, for tests. */
  private final AtomicInteger waiters = new AtomicInteger();

  private CountDownLatch(Cohort client, String path, long initial, Read last) {
    this.client = client;
    this.path = path;
    this.openPath = Paths.join(path, OPEN);
    this.initial = initial;
    this.last = last;
  }

  /**
   * The latch at {@code path} with {@code count}: created (with its parents) if absent, joined if
   * it exists with the same initial count. A count of zero makes an open latch.
   *
   * @throws LatchCountMismatchException if a latch exists there with another initial count
   *     (nothing changed)
   * @throws IllegalArgumentException if {@code count} is negative, or the node there is not a latch
   * @throws dev.cohort.spi.InvalidPathException if {@code path} is not a valid path
   * @throws IllegalStateException if the client is not started or is closed
   */
  public static CountDownLatch create(Cohort client, String path, long count) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    client.checkUsable();
    try {
      LatchState fresh = LatchState.fresh(count);
      Created created = Waits.await(client.async().createWithParents(path, fresh.encode(), CreateMode.PERSISTENT));
      if (count == 0) {
        openNode(client, Paths.join(path, OPEN));
      }
      return new CountDownLatch(client, path, count,
          created.stat() == null ? null : new Read(fresh, created.stat().version()));
    } catch (NodeExistsException e) {
      CountDownLatch existing = join(client, path);
      if (existing.initial != count) {
        throw new LatchCountMismatchException(path, existing.initial, count);
      }
      return existing;
    }
  }

  /**
   * The existing latch at {@code path}, whatever its count.
   *
   * @throws dev.cohort.spi.NoNodeException if there is no latch there (nothing created)
   * @throws IllegalArgumentException if the node there is not a latch
   * @throws dev.cohort.spi.InvalidPathException if {@code path} is not a valid path
   * @throws IllegalStateException if the client is not started or is closed
   */
  public static CountDownLatch join(Cohort client, String path) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    client.checkUsable();
    Read read = read(client, path);
    return new CountDownLatch(client, path, read.state().initial(), read);
  }

  /** The latch's path. */
  public String path() {
    return path;
  }

  /** The count the latch was created with. */
  public long initialCount() {
    return initial;
  }

  /**
   * Counts the latch down by one; opens it if this was the last count; a no-op on an open latch.
   * Safe to retry after any failure, including a lost reply: a count-down counts at most once.
   *
   * @throws ConnectionLossException if the service could not be reached to find out whether this
   *     count-down counted (it counted once or not at all: check {@link #getCount} before retrying),
   *     or if 64 or more other count-downs were applied between this one's tries (then its own
   *     record may have been pushed out of the latch's memory of recent count-downs)
   * @throws dev.cohort.spi.NoNodeException if the latch's node was deleted
   * @throws IllegalStateException if the client is not started or is closed
   */
  public void countDown() throws InterruptedException {
    client.checkUsable();
    long idHigh = JVM_NONCE;
    long idLow = CALLS.incrementAndGet();
    long countBeforeFirstTry = -1;
    Read known = last;
    while (true) {
      if (known == null) {
        known = read(client, path);
        last = known;
      }
      LatchState state = known.state();
      if (state.applied(idHigh, idLow)) {
        return; // an earlier try counted; its reply was lost
      }
      if (countBeforeFirstTry >= 0 && countBeforeFirstTry - state.count() >= LatchState.RECENT) {
        throw new ConnectionLossException(path, "cannot tell whether this count-down counted: "
            + (countBeforeFirstTry - state.count()) + " count-downs were applied since it was sent");
      }
      if (state.count() == 0) {
        return; // open for good: nothing to count
      }
      if (countBeforeFirstTry < 0) {
        countBeforeFirstTry = state.count();
      }
      try {
        last = write(state.countedDown(idHigh, idLow), known.version());
        return;
      } catch (BadVersionException | NodeExistsException e) {
        // someone counted down since we read (or an earlier try of ours did): read again
      } catch (CoordinationException e) {
        if (!e.isOutcomeUnknown() && !e.isSessionGone()) {
          throw e;
        }
        client.checkUsable(); // outcome unknown: read again, unless the client is gone
      }
      known = null;
    }
  }

  /** The count now (0 once open), read from the service. */
  public long getCount() throws InterruptedException {
    client.checkUsable();
    Read read = read(client, path);
    last = read;
    return read.state().count();
  }

  /** Blocks until the latch is open (returns at once if it is). Interruptible. */
  public void await() throws InterruptedException {
    awaitUntil(Deadline.never(client));
  }

  /**
   * Blocks until the latch is open or {@code timeout} passes on the client's clock, whichever is
   * first; removes its watch when it gives up. Interruptible.
   *
   * @return true if the latch is open, false if the timeout passed first
   */
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return awaitUntil(Deadline.after(client, timeout));
  }

  private boolean awaitUntil(Deadline deadline) throws InterruptedException {
    client.checkUsable();
    Read read = read(client, path);
    last = read;
    if (read.state().count() == 0) {
      return true; // also covers a zero-count latch whose creator died before making its open node
    }
    if (deadline.hasPassed()) {
      return false; // no time left to wait: no watch to set
    }
    AtomicBoolean counted = new AtomicBoolean();
    try {
      return Waits.awaitExists(client, openPath, true, deadline, () -> {
        if (counted.compareAndSet(false, true)) {
          waiters.incrementAndGet();
        }
      });
    } finally {
      if (counted.get()) {
        waiters.decrementAndGet();
      }
    }
  }

  /** Threads of this JVM waiting on this latch object's watch. */
  int waiters() {
    return waiters.get();
  }

  @Override
  public String toString() {
    return "CountDownLatch[" + path + ", initial " + initial + "]";
  }

  /** Writes {@code next} if the node is still at {@code version}; returns what it wrote. */
  private Read write(LatchState next, int version) throws InterruptedException {
    byte[] data = next.encode();
    Stat written;
    if (next.count() > 0) {
      written = Waits.await(client.async().setData(path, data, version));
    } else {
      List<OpResult> results = Waits.await(client.async().multi(List.of(
          Op.setData(path, data, version),
          Op.create(openPath, new byte[0], CreateMode.PERSISTENT))));
      written = results.get(0) instanceof OpResult.SetDataResult r ? r.stat() : null;
    }
    return written == null ? null : new Read(next, written.version());
  }

  private record Read(LatchState state, int version) {}

  private static Read read(Cohort client, String path) throws InterruptedException {
    NodeData data = Waits.await(client.async().getData(path, null));
    return new Read(LatchState.decode(path, data.data()), data.stat().version());
  }

  private static void openNode(Cohort client, String openPath) throws InterruptedException {
    try {
      Waits.await(client.async().create(openPath, new byte[0], CreateMode.PERSISTENT));
    } catch (NodeExistsException e) {
      // already open
    }
  }
}
