package dev.cohort.recipes.cache;

import dev.cohort.spi.Stat;
import java.util.Arrays;
import java.util.Objects;

/**
 * One node as a cache last read it. Immutable; the data array is copied in and out.
 *
 * @param path the node's path (relative to the client's namespace)
 * @param data the node's data
 * @param stat the node's stat as of the same read
 */
public record ChildData(String path, byte[] data, Stat stat) {

  public ChildData {
    Objects.requireNonNull(path, "path");
    data = Objects.requireNonNull(data, "data").clone();
    Objects.requireNonNull(stat, "stat");
  }

  /** The last segment of the path. */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Whether {@code other} shows the same node in the same state (same creation, same data version). */
  boolean sameStateAs(ChildData other) {
    return other != null && stat.czxid() == other.stat.czxid() && stat.mzxid() == other.stat.mzxid();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChildData c && path.equals(c.path) && Arrays.equals(data, c.data) && stat.equals(c.stat);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, Arrays.hashCode(data), stat);
  }

  @Override
  public String toString() {
    return "ChildData[" + path + ", " + data.length + " bytes, version " + stat.version() + "]";
  }
}
