package dev.cohort.spi;

/**
 * How a node is created: whether it outlives its session, whether its name gets a sequence suffix,
 * and the optional container and TTL kinds.
 *
 * <p>A sequential create appends a ten-digit, zero-padded counter ({@code %010d}) to the requested
 * name, taken from the parent's child version: unique and increasing per parent, but not dense. It
 * never fails with {@link NodeExistsException}.
 */
public enum CreateMode {
  PERSISTENT(false, false),
  PERSISTENT_SEQUENTIAL(false, true),
  /** Deleted when the session that created it expires or closes; may not have children. */
  EPHEMERAL(true, false),
  EPHEMERAL_SEQUENTIAL(true, true),
  /** Needs {@link Capability#CONTAINER_NODES}: deleted some time after its last child goes. */
  CONTAINER(false, false),
  /** Needs {@link Capability#TTL_NODES}: deleted once unmodified for its TTL and childless. */
  PERSISTENT_WITH_TTL(false, false),
  /** Needs {@link Capability#TTL_NODES}. */
  PERSISTENT_SEQUENTIAL_WITH_TTL(false, true);

  private final boolean ephemeral;
  private final boolean sequential;

  CreateMode(boolean ephemeral, boolean sequential) {
    this.ephemeral = ephemeral;
    this.sequential = sequential;
  }

  public boolean isEphemeral() {
    return ephemeral;
  }

  public boolean isSequential() {
    return sequential;
  }

  public boolean isContainer() {
    return this == CONTAINER;
  }

  public boolean isTtl() {
    return this == PERSISTENT_WITH_TTL || this == PERSISTENT_SEQUENTIAL_WITH_TTL;
  }
}
