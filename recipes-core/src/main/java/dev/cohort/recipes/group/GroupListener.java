package dev.cohort.recipes.group;

/**
 * Told of changes to a group's membership, in order, on the client's listener executor: never on a
 * backend thread, never under a lock. Changes between two reads of the group are merged (a member
 * that updated twice may be reported once, with its latest payload). Every method does nothing by
 * default.
 */
public interface GroupListener {

  /** {@code member} joined (or was there when the view was first read). */
  default void joined(Member member) {}

  /** {@code member} left, as it was last seen. */
  default void left(Member member) {}

  /**
   * The static member {@code member} (as last seen) lost its node without leaving, and its
   * reservation keeps its place for its grace period: it is followed either by {@link #updated}
   * (it came back) or by {@link #left} (the grace period passed). Only for members joined with a
   * grace period (see {@code GroupMember.joinStatic} with a {@code Duration}).
   */
  default void away(Member member) {}

  /** {@code member} changed its payload or re-joined after a session loss (or came back from away). */
  default void updated(Member member) {}
}
