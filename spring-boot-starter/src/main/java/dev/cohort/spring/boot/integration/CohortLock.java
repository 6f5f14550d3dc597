package dev.cohort.spring.boot.integration;

import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.locks.DistributedLock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.LongSupplier;

/**
 * A {@link Lock} over a Cohort {@link DistributedLock}: held by one thread in all the processes
 * that name the same key, while that thread's session lives. Obtain one from {@link
 * CohortLockRegistry#obtain(Object)}.
 *
 * <h2>Semantics</h2>
 * As {@link java.util.concurrent.locks.ReentrantLock}: held per thread and reentrant; {@link
 * #unlock()} by a thread that holds nothing throws {@link IllegalMonitorStateException}; {@link
 * #lockInterruptibly()} and {@link #tryLock(long, TimeUnit)} are interruptible, and a wait that
 * ends without the lock leaves no trace on the service; {@link #lock()} is not interruptible (it
 * keeps waiting and restores the interrupt flag once it holds the lock). {@link #tryLock()} takes
 * the lock only if nobody holds it or waits for it now. Conditions are not supported.
 *
 * <h2>When the session ends</h2>
 * A hold ends with the session that took it (expiry, or cut off for the session timeout). The
 * holder finds out through {@link #addOwnershipListener} or when it next acquires: a reentrant
 * acquisition of a hold that ended throws {@link IllegalStateException}, and the thread must
 * {@link #unlock()} (which is then quiet and sends nothing) before it can acquire again. Spring
 * Integration's {@code LockRegistryLeaderInitiator} reacts to exactly that by revoking leadership.
 *
 * <h2>Fencing</h2>
 * A thread that was paused while its session expired can still believe it holds the lock. Pass
 * {@link #fencingToken()} with every write to the protected resource and let the resource refuse
 * tokens older than the newest it has seen ({@link dev.cohort.recipes.FencedResource}).
 *
 * <p>Failures to reach the service surface as Cohort's unchecked {@link
 * dev.cohort.spi.CoordinationException}s, after the client's retries.
 */
public final class CohortLock implements Lock {

  private final Object key;
  private final DistributedLock delegate;
  private final LongSupplier nanoClock;
  /** Acquisitions in progress plus holds not yet released, over all threads of this process. */
  private final AtomicInteger activity = new AtomicInteger();
  /** When this lock was last obtained, acquired or released, on {@link #nanoClock}. */
  private volatile long lastUsedNanos;

  CohortLock(Object key, DistributedLock delegate, LongSupplier nanoClock) {
    this.key = key;
    this.delegate = delegate;
    this.nanoClock = nanoClock;
    this.lastUsedNanos = nanoClock.getAsLong();
  }

  @Override
  public void lock() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          lockInterruptibly();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // Lock.lock() is not interruptible: wait on, tell the thread afterwards
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void lockInterruptibly() throws InterruptedException {
    begin();
    boolean held = false;
    try {
      delegate.acquire();
      held = true;
    } finally {
      end(held);
    }
  }

  @Override
  public boolean tryLock() {
    begin();
    boolean held = false;
    try {
      held = delegate.tryLock().isPresent();
      return held;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      end(held);
    }
  }

  @Override
  public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(time);
    begin();
    boolean held = false;
    try {
      held = nanos <= 0 ? delegate.tryLock().isPresent()
          : delegate.tryAcquire(Duration.ofNanos(nanos)).isPresent();
      return held;
    } finally {
      end(held);
    }
  }

  /**
   * Releases one hold of the calling thread; the last one deletes its node on the service.
   *
   * @throws IllegalMonitorStateException if the calling thread does not hold this lock
   */
  @Override
  public void unlock() {
    delegate.release();
    activity.decrementAndGet();
    lastUsedNanos = nanoClock.getAsLong();
  }

  /**
   * Not supported: a condition would need a distributed wait queue.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public Condition newCondition() {
    throw new UnsupportedOperationException("CohortLock does not support conditions");
  }

  /**
   * The fencing token of the calling thread's hold: present while it holds the lock (even after
   * its session ended, until it unlocks). Newer holds, by anyone, have larger tokens.
   *
   * @return the token, or empty if the calling thread does not hold this lock
   */
  public Optional<FencingToken> fencingToken() {
    return delegate.currentToken();
  }

  /**
   * Whether the calling thread holds this lock and the session that took it is still live.
   *
   * @return true while the calling thread's hold is valid as far as this process knows
   */
  public boolean isHeldByCurrentThread() {
    return delegate.isHeldByCurrentThread();
  }

  /**
   * Tells {@code listener} when a hold of this lock may be lost (connection suspended), is
   * confirmed again, or is lost (session ended).
   *
   * @param listener called on the client's listener executor
   */
  public void addOwnershipListener(OwnershipListener listener) {
    delegate.addOwnershipListener(listener);
  }

  /**
   * Stops telling {@code listener}; a no-op if it was not added.
   *
   * @param listener a listener added before
   */
  public void removeOwnershipListener(OwnershipListener listener) {
    delegate.removeOwnershipListener(listener);
  }

  /**
   * The key this lock was obtained for.
   *
   * @return the key as given to {@link CohortLockRegistry#obtain(Object)}
   */
  public Object key() {
    return key;
  }

  /**
   * The lock's path, relative to the client's namespace.
   *
   * @return the directory its holders and waiters queue in
   */
  public String path() {
    return delegate.path();
  }

  /** Whether no thread of this process holds or waits for this lock. */
  boolean isIdle() {
    return activity.get() == 0;
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  void touch() {
    lastUsedNanos = nanoClock.getAsLong();
  }

  private void begin() {
    activity.incrementAndGet();
    lastUsedNanos = nanoClock.getAsLong();
  }

  private void end(boolean held) {
    if (!held) {
      activity.decrementAndGet();
    }
  }

  @Override
  public String toString() {
    return "CohortLock[" + key + " at " + path() + "]";
  }
}
