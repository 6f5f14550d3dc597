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

  Partition(String id, byte[] instructions, FencingToken fencingToken) {
    this.id = Objects.requireNonNull(id, "id");
    this.instructions = instructions.clone();
    this.fencingToken = Objects.requireNonNull(fencingToken, "fencingToken");
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
