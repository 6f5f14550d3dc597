package dev.cohort.recipes;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resource side of fencing: remembers the largest {@link FencingToken} it has accepted and
 * rejects every older one. Tokens equal to the largest are accepted (the current owner writes many
 * times). Put one in front of whatever a lock or leadership protects; pass the token the recipe
 * returned with each write.
 *
 * <p>Guarantee: once a token {@code t} has been accepted, no token smaller than {@code t} is ever
 * accepted again. Thread-safe and lock-free.
 */
public final class FencedResource {

  /** The largest token value accepted so far; 0 before the first. */
  private final AtomicLong highest = new AtomicLong();

  /** A resource that has accepted no token yet. */
  public FencedResource() {}

  /**
   * Accepts {@code token} if it is not older than every token accepted so far.
   *
   * @return true if accepted (and now remembered), false if it is stale
   */
  public boolean tryAccept(FencingToken token) {
    Objects.requireNonNull(token, "token");
    long value = token.value();
    while (true) {
      long current = highest.get();
      if (value < current) {
        return false;
      }
      if (value == current || highest.compareAndSet(current, value)) {
        return true;
      }
    }
  }

  /**
   * Accepts {@code token} or fails.
   *
   * @throws StaleTokenException if a newer token was accepted before; nothing changes then
   */
  public void accept(FencingToken token) {
    if (!tryAccept(token)) {
      throw new StaleTokenException(token, new FencingToken(highest.get()));
    }
  }

  /** The largest token accepted so far, or 0 if none. */
  public long highestSeen() {
    return highest.get();
  }
}
