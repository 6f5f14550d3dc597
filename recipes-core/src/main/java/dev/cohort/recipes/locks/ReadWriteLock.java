package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-write lock across processes: readers share, a writer excludes everyone.
 *
 * <p>Readers and writers queue in one directory in arrival order. A writer holds the lock when its
 * node is first and watches the node just before it; a reader holds it when no writer's node comes
 * before its own and watches only the nearest writer before it. Arrival order is kept, so a
 * stream of readers cannot starve a writer.
 *
 * <p>Per thread, holds are reentrant. A thread holding the write lock may acquire the read lock
 * (granted at once, locally) and then release the write lock: that is a <b>downgrade</b>. The
 * downgraded hold keeps the writer's node, so no writer queued behind it can slip in, and marks it
 * with data: a reader whose nearest writer is a marked node looks past it (the data change fires
 * the reader's watch), so readers queued behind a downgraded writer share the lock with it. Writers
 * still wait for the node to go. Upgrading a read hold (including a downgraded one) to a write hold
 * would deadlock or break the readers' trust, and fails with {@link IllegalStateException}.
 */
public final class ReadWriteLock {

  static final String READ_NAME = "read-";
  static final String WRITE_NAME = "write-";
  private static final byte[] NO_DATA = new byte[0];
  /** The data that marks a writer's node as downgraded to a read hold. */
  private static final byte[] DOWNGRADED = "downgraded".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final Cohort client;
  private final SequentialQueue queue;
  private final OwnershipTracker tracker;
  private final Map<Thread, Hold> holds = new ConcurrentHashMap<>();
  private final Side readSide = new Side(false);
  private final Side writeSide = new Side(true);

  /** One thread's node and its counts; touched only by that thread. */
  private static final class Hold {
    final Place place;
    final OwnedNode node;
    final boolean writerNode;
    /** Whether the writer node was marked as downgraded; never unmarked. */
    boolean downgraded;
    int reads;
    int writes;

    Hold(Place place, boolean writerNode) {
      this.place = place;
      this.node = place.granted().join();
      this.writerNode = writerNode;
    }
  }

  /** A read-write lock at {@code path}, relative to the client's namespace. */
  public ReadWriteLock(Cohort client, String path) {
    this.client = Objects.requireNonNull(client, "client");
    // not marked: a downgrading writer changes its node's data, which a marked queue reads as a release
    this.queue = new SequentialQueue(client, Objects.requireNonNull(path, "path"), false);
    this.tracker = new OwnershipTracker(client, client.events().orElse(null), "read-write-lock", queue.dir());
  }

  /** The shared side. */
  public InterProcessLock readLock() {
    return readSide;
  }

  /** The exclusive side. */
  public InterProcessLock writeLock() {
    return writeSide;
  }

  /** Tells {@code listener} when a hold (read or write) may be lost, is confirmed, or is lost. */
  public void addOwnershipListener(OwnershipListener listener) {
    tracker.addListener(listener);
  }

  public void removeOwnershipListener(OwnershipListener listener) {
    tracker.removeListener(listener);
  }

  private final class Side implements InterProcessLock {
    private final boolean write;

    Side(boolean write) {
      this.write = write;
    }

    @Override
    public String path() {
      return queue.dir();
    }

    @Override
    public FencingToken acquire() throws InterruptedException {
      client.checkUsable();
      return acquire(Deadline.never(client), false)
          .orElseThrow(() -> new IllegalStateException("unbounded acquire ended without the lock"));
    }

    @Override
    public Optional<FencingToken> tryAcquire(Duration timeout) throws InterruptedException {
      Objects.requireNonNull(timeout, "timeout");
      client.checkUsable();
      return acquire(Deadline.after(client, timeout), false);
    }

    @Override
    public Optional<FencingToken> tryLock() throws InterruptedException {
      client.checkUsable();
      return acquire(Deadline.never(client), true);
    }

    private Optional<FencingToken> acquire(Deadline deadline, boolean tryOnce) throws InterruptedException {
      Thread me = Thread.currentThread();
      Hold hold = holds.get(me);
      if (hold != null) {
        if (!client.isLiveSession(hold.node.sessionId())) {
          throw new IllegalStateException("this thread's hold of " + path()
              + " ended with its session; release it before acquiring again");
        }
        if (write && (!hold.writerNode || hold.downgraded)) {
          throw new IllegalStateException("cannot upgrade a read hold to a write hold: release the read first");
        }
        if (write) {
          hold.writes++;
        } else {
          hold.reads++;
        }
        return Optional.of(hold.node.fencingToken());
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      Place place = write
          ? queue.acquire(WRITE_NAME, NO_DATA, LockDecisions::write, null, deadline, tryOnce)
          : queue.acquire(READ_NAME, NO_DATA, LockDecisions::read, stat -> stat.dataLength() > 0, deadline, tryOnce);
      if (place == null) {
        return Optional.empty();
      }
      Hold fresh = new Hold(place, write);
      if (write) {
        fresh.writes = 1;
      } else {
        fresh.reads = 1;
      }
      holds.put(me, fresh);
      tracker.held(fresh.node);
      return Optional.of(fresh.node.fencingToken());
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalMonitorStateException if the calling thread holds nothing on this side
     */
    @Override
    public boolean release() {
      Thread me = Thread.currentThread();
      Hold hold = holds.get(me);
      if (hold == null || (write ? hold.writes : hold.reads) == 0) {
        throw new IllegalMonitorStateException("the calling thread does not hold " + this);
      }
      int left = write ? --hold.writes : --hold.reads;
      if (write && left == 0 && hold.reads > 0 && !hold.downgraded) {
        // a downgrade: let readers queued behind our node look past it (if this write fails, they
        // simply keep waiting for the node to go, which is safe)
        hold.downgraded = true;
        client.async().setData(hold.node.path(), DOWNGRADED, -1);
      }
      if (hold.reads + hold.writes == 0) {
        holds.remove(me);
        tracker.released(hold.node);
        hold.place.release(false);
      }
      return left == 0;
    }

    @Override
    public Optional<String> ownedNodePath() {
      Hold hold = holds.get(Thread.currentThread());
      return hold == null || (write ? hold.writes : hold.reads) == 0 ? Optional.empty() : Optional.of(hold.node.path());
    }

    @Override
    public boolean isHeldByCurrentThread() {
      Hold hold = holds.get(Thread.currentThread());
      return hold != null && (write ? hold.writes : hold.reads) > 0 && client.isLiveSession(hold.node.sessionId());
    }

    @Override
    public String toString() {
      return (write ? "WriteLock[" : "ReadLock[") + path() + "]";
    }
  }
}
