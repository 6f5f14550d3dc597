package dev.cohort.recipes.partition;

import dev.cohort.recipes.FencingToken;
import java.util.Objects;

/**
 * A partition a member has been assigned: its id, its instructions (the data of its node) and the
 * fencing token of this ownership term. The token is the zxid of the transaction that made the
 * claim; a later owner's token is larger, so a store the partition's work writes to can reject a
 * member that has lost the partition.
 */
public final class Partition {
  private final String id;
  private final byte[] instructions;
  private final FencingToken fencingToken;

  /** What {@link #ownershipChecks()} returns; empty where the claim's nodes are not known. */
  private final java.util.List<dev.cohort.spi.Op> ownershipChecks;

  Partition(String id, byte[] instructions, FencingToken fencingToken) {
    this(id, instructions, fencingToken, java.util.List.of());
  }

  Partition(String id, byte[] instructions, FencingToken fencingToken, java.util.List<dev.cohort.spi.Op> ownershipChecks) {
    this.id = Objects.requireNonNull(id, "id");
    this.instructions = instructions.clone();
    this.fencingToken = Objects.requireNonNull(fencingToken, "fencingToken");
    this.ownershipChecks = java.util.List.copyOf(ownershipChecks);
  }

  /**
   * Checks for a {@link dev.cohort.recipes.AsyncOps#multi multi} that pass only while this claim
   * lasts. Two, because the owner node's path is not unique to a claim: once this member lost the
   * partition, another may own a node at the same path, with the same version. So the checks are:
   * the partition node still has the version this claim gave it (every claim bumps it, so a later
   * claim by anyone fails this), and the owner node exists (a release or the end of the session
   * deleted it; with no later claim, no other node can stand there). Add both to the multi.
   */
  public java.util.List<dev.cohort.spi.Op> ownershipChecks() {
    return ownershipChecks;
  }

  /** The partition's id: the name of its node. */
  public String id() {
    return id;
  }

  /** The partition's instructions, a copy. */
  public byte[] instructions() {
    return instructions.clone();
  }

  /** This ownership term's fencing token. */
  public FencingToken fencingToken() {
    return fencingToken;
  }

  @Override
  public String toString() {
    return "Partition[" + id + ", token " + fencingToken.value() + "]";
  }
}
