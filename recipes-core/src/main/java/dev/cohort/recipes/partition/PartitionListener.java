package dev.cohort.recipes.partition;

/**
 * Told when this member gains or gives up a partition. Both methods run on the claimer's own
 * thread, one call at a time and never while an internal lock is held.
 *
 * <p>Cooperative hand-over: when the assignment moves a partition away from this member, {@link
 * #revoked} is called and the partition is released only after it returns, so the method must
 * return only once the work on that partition has finished or been aborted. Only then can the new
 * owner claim it. When the member's session is lost, {@code revoked} is called for every partition
 * it held, after the fact: other members may already own them, and the fencing token is what keeps
 * late writes out.
 */
public interface PartitionListener {

  /** This member now owns {@code partition}. Start work elsewhere; do not block here for long. */
  void assigned(Partition partition);

  /**
   * This member must stop working on the partition (or already has lost it). Return once the work
   * has stopped.
   */
  void revoked(String partitionId);
}
