package dev.cohort.recipes.locks;

import dev.cohort.recipes.FencingToken;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Several locks taken all-or-none. They are always acquired in one fixed order (by path), so two
 * multi-locks over overlapping sets cannot deadlock each other; if any acquisition fails or times
 * out, the ones already taken are released, newest first. Per thread, like its parts.
 */
public final class MultiLock {

  private final List<InterProcessLock> locks;
  private final TimeSource clock;
  /** Each thread's count of all-lock holds; an entry is written only by its own thread. */
  private final java.util.Map<Thread, Integer> holds = new java.util.concurrent.ConcurrentHashMap<>();

  /** Over {@code locks} (at least one, distinct paths), timing out on the system clock. */
  public MultiLock(List<? extends InterProcessLock> locks) {
    this(locks, TimeSource.system());
  }

  /**
   * Over {@code locks}, measuring {@link #tryAcquire} timeouts on {@code clock}.
   *
   * @throws IllegalArgumentException if {@code locks} is empty or two locks share a path
   */
  public MultiLock(List<? extends InterProcessLock> locks, TimeSource clock) {
    Objects.requireNonNull(locks, "locks");
    if (locks.isEmpty()) {
      throw new IllegalArgumentException("a multi-lock needs at least one lock");
    }
    Set<String> paths = new HashSet<>();
    for (InterProcessLock lock : locks) {
      if (!paths.add(Objects.requireNonNull(lock, "lock").path())) {
        throw new IllegalArgumentException("two locks share the path " + lock.path());
      }
    }
    List<InterProcessLock> ordered = new ArrayList<>(locks);
    ordered.sort(Comparator.comparing(InterProcessLock::path));
    this.locks = List.copyOf(ordered);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The locks, in the order they are acquired. */
  public List<InterProcessLock> locks() {
    return locks;
  }

  /** Acquires every lock, waiting without limit; tokens in {@link #locks()} order. */
  public List<FencingToken> acquire() throws InterruptedException {
    List<FencingToken> tokens = new ArrayList<>(locks.size());
    int taken = 0;
    try {
      for (InterProcessLock lock : locks) {
        tokens.add(lock.acquire());
        taken++;
      }
      holds.merge(Thread.currentThread(), 1, Integer::sum);
      return List.copyOf(tokens);
    } finally {
      if (taken < locks.size()) {
        releaseFirst(taken);
      }
    }
  }

  /** Acquires every lock within {@code timeout} in total, or none. */
  public Optional<List<FencingToken>> tryAcquire(Duration timeout) throws InterruptedException {
    long deadline = clock.nanoTime() + Math.max(0, Objects.requireNonNull(timeout, "timeout").toNanos());
    List<FencingToken> tokens = new ArrayList<>(locks.size());
    int taken = 0;
    try {
      for (InterProcessLock lock : locks) {
        Optional<FencingToken> token = lock.tryAcquire(Duration.ofNanos(Math.max(0, deadline - clock.nanoTime())));
        if (token.isEmpty()) {
          return Optional.empty();
        }
        tokens.add(token.get());
        taken++;
      }
      holds.merge(Thread.currentThread(), 1, Integer::sum);
      return Optional.of(List.copyOf(tokens));
    } finally {
      if (taken < locks.size()) {
        releaseFirst(taken);
      }
    }
  }

  /**
   * Releases one hold of every lock, newest first.
   *
   * @return true if every release ended a hold
   * @throws IllegalMonitorStateException if the calling thread holds nothing of this multi-lock;
   *     nothing changes then
   */
  public boolean release() {
    Thread me = Thread.currentThread();
    Integer held = holds.get(me);
    if (held == null) {
      throw new IllegalMonitorStateException("the calling thread does not hold " + this);
    }
    if (held == 1) {
      holds.remove(me);
    } else {
      holds.put(me, held - 1);
    }
    boolean all = true;
    for (int i = locks.size() - 1; i >= 0; i--) {
      all &= locks.get(i).release();
    }
    return all;
  }

  private void releaseFirst(int count) {
    for (int i = count - 1; i >= 0; i--) {
      locks.get(i).release();
    }
  }

  @Override
  public String toString() {
    return "MultiLock" + locks.stream().map(InterProcessLock::path).toList();
  }
}
