package dev.cohort.etcd;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The value of a node's data key: a small header then the node's data.
 *
 * <p>The version is kept here rather than taken from etcd's per-key version because a multi that
 * creates a node and sets its data writes the key once (etcd refuses two writes of one key in one
 * transaction), yet ZooKeeper counts the setData. Times come from the writing client's clock: etcd
 * keeps none.
 */
record NodeValue(int version, long ctime, long mtime, long czxid, byte[] data) {

  /** {@link #czxid} when the node is as old as its key: its create revision. */
  static final long CZXID_OF_KEY = 0;
  /**
   * {@link #czxid} of a node deleted and created again by one multi: etcd wrote its key once, as a
   * put over the old key, which keeps the old create revision; the node was born at this put.
   */
  static final long CZXID_OF_THIS_PUT = -1;

  private static final byte MAGIC = 'Z';
  static final int HEADER_BYTES = 1 + 4 + 8 + 8 + 8;

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + data.length);
    b.put(MAGIC).putInt(version).putLong(ctime).putLong(mtime).putLong(czxid).put(data);
    return b.array();
  }

  static NodeValue decode(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || bytes[0] != MAGIC) {
      throw new IllegalStateException("not a Cohort node value (" + bytes.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.get();
    int version = b.getInt();
    long ctime = b.getLong();
    long mtime = b.getLong();
    long czxid = b.getLong();
    return new NodeValue(version, ctime, mtime, czxid, Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length));
  }

  /** Whether a key written at its {@code modRevision} re-created its node (see {@link #CZXID_OF_THIS_PUT}). */
  static boolean recreatedBy(io.etcd.jetcd.KeyValue kv) {
    byte[] b = kv.getValue().getBytes();
    return b.length >= HEADER_BYTES && ByteBuffer.wrap(b, 21, 8).getLong() == CZXID_OF_THIS_PUT;
  }

  /** The czxid of the node a data key holds. */
  static long czxidOf(io.etcd.jetcd.KeyValue kv) {
    long czxid = decode(kv.getValue().getBytes()).czxid();
    return czxid == CZXID_OF_KEY ? kv.getCreateRevision() : czxid == CZXID_OF_THIS_PUT ? kv.getModRevision() : czxid;
  }

  static byte[] encodeCounter(int creates) {
    return ByteBuffer.allocate(4).putInt(creates).array();
  }

  static int decodeCounter(byte[] bytes) {
    return bytes.length == 4 ? ByteBuffer.wrap(bytes).getInt() : 0;
  }
}
