package dev.cohort.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A node's data and stat as of one moment. The array belongs to the caller.
 *
 * @param data every byte of the node's data (empty, never null, for a node without data)
 * @param stat the node's stat at the same moment
 */
public record NodeData(byte[] data, Stat stat) {
  public NodeData {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(stat, "stat");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeData other && Arrays.equals(data, other.data) && stat.equals(other.stat);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(data) + stat.hashCode();
  }

  @Override
  public String toString() {
    return "NodeData[" + data.length + " bytes, " + stat + "]";
  }
}
