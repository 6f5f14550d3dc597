package dev.cohort.recipes;

/**
 * A {@link FencedResource} refused a write because its fencing token is older than one it has
 * already accepted: the writer's ownership ended and someone else owned the resource since.
 * Retrying with the same token never succeeds; the writer must acquire ownership again.
 */
public final class StaleTokenException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final FencingToken rejected;
  private final FencingToken highestSeen;

  public StaleTokenException(FencingToken rejected, FencingToken highestSeen) {
    super("stale fencing token " + rejected.value() + ": already accepted " + highestSeen.value());
    this.rejected = rejected;
    this.highestSeen = highestSeen;
  }

  /** The token that was refused. */
  public FencingToken rejected() {
    return rejected;
  }

  /** The largest token the resource had accepted when it refused. */
  public FencingToken highestSeen() {
    return highestSeen;
  }
}
