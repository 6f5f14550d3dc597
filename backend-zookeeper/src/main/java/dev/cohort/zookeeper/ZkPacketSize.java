package dev.cohort.zookeeper;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.SetDataRequest;

/**
 * The size of a write request as ZooKeeper puts it on the wire, to refuse one that the server would
 * not take before it is sent.
 *
 * <p>Why: a server (and a client) refuses any packet over {@code jute.maxbuffer} (1,048,575 bytes
 * by default) by dropping the connection. The request is not failed: the client reconnects, the
 * caller sees a ConnectionLoss that names nothing, and a retry does the same again. What counts is
 * the request header (xid and type, 8 bytes) plus the serialized record: path (with the chroot the
 * client prefixes), data, ACL, flags, and for a multi every op's header. A node is also refused
 * when its data could not be read back: the getData reply carries a 16-byte reply header, the data
 * and a 68-byte stat (88 bytes besides the data), and the client drops a reply over its own limit.
 * {@code ZooKeeperDataLimitTest} checks both rules against a real server, to the byte.
 */
final class ZkPacketSize {

  /** xid and op type. */
  static final int REQUEST_HEADER_BYTES = 8;
  /** Reply header (xid, zxid, err), data length, stat: what a getData reply adds to the data. */
  static final int GET_DATA_REPLY_OVERHEAD_BYTES = 16 + 4 + 68;

  private ZkPacketSize() {}

  /**
   * An upper bound on a request's size, cheap to compute: requests under the limit by this bound
   * (nearly all) are not serialized twice.
   */
  static long bound(long dataBytes, int ops, long pathChars, List<ACL> acl) {
    long aclBytes = 4;
    for (ACL a : acl) {
      aclBytes += 4 + 8 + 3L * (a.getId().getScheme().length() + a.getId().getId().length());
    }
    // per op: multi header 9, path length 4, data length 4, flags/version 4, TTL 8, ACL; paths in
    // UTF-8 take at most 3 bytes a char; plus the multi's end marker and the request header.
    return REQUEST_HEADER_BYTES + 9 + dataBytes + 3 * pathChars + ops * (9L + 4 + 4 + 4 + 8 + aclBytes);
  }

  static long create(String serverPath, byte[] data, List<ACL> acl, int flags, long ttlMillis) {
    Record r = ttlMillis > 0
        ? new CreateTTLRequest(serverPath, data, acl, flags, ttlMillis)
        : new CreateRequest(serverPath, data, acl, flags);
    return REQUEST_HEADER_BYTES + serializedSize(r);
  }

  static long setData(String serverPath, byte[] data) {
    return REQUEST_HEADER_BYTES + serializedSize(new SetDataRequest(serverPath, data, -1));
  }

  /** The size of a multi of these ops (already carrying the chroot-prefixed paths). */
  static long multi(List<org.apache.zookeeper.Op> ops) {
    return REQUEST_HEADER_BYTES + serializedSize(new MultiOperationRecord(ops));
  }

  static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static long serializedSize(Record record) {
    Counter counter = new Counter();
    try {
      record.serialize(BinaryOutputArchive.getArchive(counter), "request");
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a counter does not fail
    }
    return counter.count;
  }

  /** Counts the bytes written to it and keeps none. */
  private static final class Counter extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
