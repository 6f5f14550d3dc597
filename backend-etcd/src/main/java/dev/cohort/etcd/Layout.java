package dev.cohort.etcd;

import dev.cohort.spi.Paths;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/**
 * Where a znode lives in etcd's flat key space, under one namespace prefix {@code ns}.
 *
 * <ul>
 *   <li>{@code ns/d/<depth><path>}: the node itself; its value is {@link NodeValue} (version, times,
 *       data); its create and mod revisions are czxid and mzxid; an ephemeral's key is attached to
 *       its session's lease. The depth in the key makes one node's children a key prefix that holds
 *       nothing deeper, so one range read lists exactly one level.
 *   <li>{@code ns/m<path>}: a persistent node's child-create counter (4 bytes); its mod revision is
 *       the pzxid. Ephemerals have none: they cannot have children.
 *   <li>{@code ns/s/<lease hex>}: written with the lease in every write transaction of a session, so
 *       a write of a session whose lease is gone fails whole ("lease not found").
 * </ul>
 */
final class Layout {

  private final String ns;

  Layout(String namespace) {
    this.ns = namespace;
  }

  static int depth(String path) {
    if (path.equals(Paths.ROOT)) {
      return 0;
    }
    int depth = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        depth++;
      }
    }
    return depth;
  }

  ByteSequence dataKey(String path) {
    return bytes(ns + "/d/" + depth(path) + (path.equals(Paths.ROOT) ? "" : path));
  }

  /** The prefix of the data keys of {@code path}'s children. */
  String childrenPrefix(String path) {
    return ns + "/d/" + (depth(path) + 1) + (path.equals(Paths.ROOT) ? "" : path) + "/";
  }

  ByteSequence metaKey(String path) {
    return bytes(ns + "/m" + path);
  }

  ByteSequence sessionKey(long lease) {
    return bytes(ns + "/s/" + Long.toHexString(lease));
  }

  /** The prefix of every key of this namespace: data, counter and session keys. */
  String namespacePrefix() {
    return ns + "/";
  }

  /** The node a key of this namespace names if it is a data key ({@code ns/d/<depth><path>}), else null. */
  String pathOfDataKey(byte[] key) {
    String k = new String(key, StandardCharsets.UTF_8);
    String data = ns + "/d/";
    if (!k.startsWith(data)) {
      return null;
    }
    int i = data.length();
    while (i < k.length() && Character.isDigit(k.charAt(i))) {
      i++;
    }
    return i == k.length() ? Paths.ROOT : k.substring(i);
  }

  /** The first key after every key that starts with {@code prefix}. */
  static ByteSequence prefixEnd(String prefix) {
    byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
    // The prefix ends in '/', never 0xff: incrementing the last byte is enough.
    b[b.length - 1]++;
    return ByteSequence.from(b);
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
