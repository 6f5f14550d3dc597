package dev.cohort.inmemory.tree;

/** A container or TTL node: an ordinary {@link Node} plus its kind. */
final class SpecialNode extends Node {
  static final long CONTAINER = -1;

  private final long kind;

  SpecialNode(byte[] data, long zxid, long time, long kind) {
    super(data, zxid, time, 0);
    this.kind = kind;
  }

  @Override
  long kind() {
    return kind;
  }
}
