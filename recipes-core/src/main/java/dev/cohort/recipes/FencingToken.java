package dev.cohort.recipes;

/**
 * Proof of one ownership term (a lock acquisition, a lease, a leadership term): the creation zxid
 * of the znode that carries the ownership. Zxids grow with every write of the service, so a term
 * that began later has a larger token, whoever owns it. Hand the token to the protected resource
 * with every write and let it reject tokens older than the largest it has seen (see {@link
 * FencedResource}): then an owner that was paused while its session expired cannot overwrite the
 * work of the owner that came after it.
 *
 * @param value the czxid of the owning znode; positive
 */
public record FencingToken(long value) implements Comparable<FencingToken> {

  public FencingToken {
    if (value <= 0) {
      throw new IllegalArgumentException("a fencing token is a positive zxid: " + value);
    }
  }

  /** Whether this token belongs to a term that began after {@code other}'s. */
  public boolean isNewerThan(FencingToken other) {
    return value > other.value;
  }

  @Override
  public int compareTo(FencingToken other) {
    return Long.compare(value, other.value);
  }
}
