package dev.cohort.spi;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One operation of a {@link Session#multi multi}. Build them with the static factories; arrays are
 * copied.
 */
public sealed interface Op {

  /** The path the operation names. */
  String path();

  /** Whether the operation reads (all ops of one multi must agree). */
  boolean isRead();

  static Op create(String path, byte[] data, CreateMode mode) {
    return new Create(path, data, mode, null);
  }

  static Op create(String path, byte[] data, CreateMode mode, Duration ttl) {
    return new Create(path, data, mode, Objects.requireNonNull(ttl, "ttl"));
  }

  static Op delete(String path, int version) {
    return new Delete(path, version);
  }

  static Op setData(String path, byte[] data, int version) {
    return new SetData(path, data, version);
  }

  /** A precondition: the node exists and, unless version is -1, has that version. */
  static Op check(String path, int version) {
    return new Check(path, version);
  }

  static Op getData(String path) {
    return new GetData(path);
  }

  static Op getChildren(String path) {
    return new GetChildren(path);
  }

  /** @param ttl the time to live for TTL modes, else null */
  record Create(String path, byte[] data, CreateMode mode, Duration ttl) implements Op {
    public Create {
      Objects.requireNonNull(path, "path");
      data = Objects.requireNonNull(data, "data").clone();
      Objects.requireNonNull(mode, "mode");
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean isRead() {
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Create c && path.equals(c.path) && Arrays.equals(data, c.data)
          && mode == c.mode && Objects.equals(ttl, c.ttl);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, Arrays.hashCode(data), mode, ttl);
    }

    @Override
    public String toString() {
      return "Create[" + path + ", " + data.length + " bytes, " + mode + (ttl == null ? "" : ", ttl " + ttl) + "]";
    }
  }

  record Delete(String path, int version) implements Op {
    public Delete {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public boolean isRead() {
      return false;
    }
  }

  record SetData(String path, byte[] data, int version) implements Op {
    public SetData {
      Objects.requireNonNull(path, "path");
      data = Objects.requireNonNull(data, "data").clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean isRead() {
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SetData s && path.equals(s.path) && Arrays.equals(data, s.data) && version == s.version;
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, Arrays.hashCode(data), version);
    }

    @Override
    public String toString() {
      return "SetData[" + path + ", " + data.length + " bytes, version " + version + "]";
    }
  }

  record Check(String path, int version) implements Op {
    public Check {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public boolean isRead() {
      return false;
    }
  }

  record GetData(String path) implements Op {
    public GetData {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public boolean isRead() {
      return true;
    }
  }

  record GetChildren(String path) implements Op {
    public GetChildren {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public boolean isRead() {
      return true;
    }
  }
}
