package dev.cohort.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** The result of one {@link Op} of a successful {@link Session#multi multi}, in op order. */
public sealed interface OpResult {

  /** @param path the path created (with its sequence suffix, if any) */
  record CreateResult(String path) implements OpResult {
    public CreateResult {
      Objects.requireNonNull(path, "path");
    }
  }

  record DeleteResult() implements OpResult {}

  /** @param stat the node's stat after the write */
  record SetDataResult(Stat stat) implements OpResult {
    public SetDataResult {
      Objects.requireNonNull(stat, "stat");
    }
  }

  record CheckResult() implements OpResult {}

  /** @param data the node's data, owned by the caller */
  record GetDataResult(byte[] data, Stat stat) implements OpResult {
    public GetDataResult {
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(stat, "stat");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GetDataResult r && Arrays.equals(data, r.data) && stat.equals(r.stat);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(data) + stat.hashCode();
    }

    @Override
    public String toString() {
      return "GetDataResult[" + data.length + " bytes, " + stat + "]";
    }
  }

  /** @param children the child names, in no promised order; unmodifiable */
  record GetChildrenResult(List<String> children) implements OpResult {
    public GetChildrenResult {
      children = List.copyOf(children);
    }
  }
}
