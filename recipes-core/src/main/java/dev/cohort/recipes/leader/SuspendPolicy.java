package dev.cohort.recipes.leader;

/** What a leader does when its connection is lost but its session may still be alive. */
public enum SuspendPolicy {
  /**
   * Give leadership up at once (the default): the leader stops acting on it from the moment the
   * client reports SUSPENDED, and claims it again only after RECONNECTED, once it has checked that
   * its node still exists and is owned by its current session.
   */
  RELEASE_ON_SUSPEND,
  /**
   * Keep leadership while SUSPENDED and give it up only when the session is LOST. Nobody else can
   * lead meanwhile (the session and its node are alive on the service until it expires), but a
   * leader cut off from the service may act on a stale view: pair it with fencing tokens.
   */
  KEEP_UNTIL_LOST
}
