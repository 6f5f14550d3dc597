package dev.cohort.replicated;

import dev.cohort.inmemory.tree.TxnOp;
import dev.cohort.spi.CreateMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands of the replicated log: everything that changes replicated state. Each replica
 * applies the same sequence; a command carries every input its effect depends on (session, the
 * session's write sequence number, the leader's clock), so the effect is the same everywhere.
 *
 * <p>{@code wseq} numbers one session's writes densely from 1. A replica applies a session's write
 * only if it is the next one ({@code last + 1}); an older one is a duplicate (a resend) and a newer
 * one arrived before a predecessor (the network reordered the forwards) — both are skipped, and the
 * replica serving the session resends what is still pending, in order. So a session's writes take
 * effect exactly once and in the order issued, whatever the network does.
 */
sealed interface Command {

  /** Registers a new session. */
  record OpenSession(long sessionId, long timeoutMillis, long timeMillis, int replica) implements Command {}

  /** The client closes its session (a write of the session, so ordered after its earlier writes). */
  record CloseSession(long sessionId, long wseq, long timeMillis) implements Command {}

  /** The leader expires a session it has not heard from within its timeout. */
  record ExpireSession(long sessionId, long timeMillis) implements Command {}

  /** A write of a session: create, delete, setData or multi. */
  record Write(long sessionId, long wseq, long timeMillis, TxnOp op) implements Command {}

  /** A session's sync: once applied on its replica, that replica has every write before it. */
  record Sync(long sessionId, long wseq) implements Command {}

  /**
   * A session reattaches (to a new replica, or after a disconnect). Writes it issued up to {@code
   * wseqFloor} that have not taken effect never will: the client was told their outcome is unknown.
   * {@code replica} is the replica that serves it from now on; any other drops its local state.
   */
  record Attach(long sessionId, long wseqFloor, int replica) implements Command {}

  /** The leader removes expired containers and TTL nodes. */
  record Sweep(long timeMillis, List<String> paths) implements Command {}

  // ------------------------------------------------------------------ codec

  static byte[] encode(Command c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      if (c instanceof OpenSession o) {
        out.writeByte(1);
        out.writeLong(o.sessionId());
        out.writeLong(o.timeoutMillis());
        out.writeLong(o.timeMillis());
        out.writeInt(o.replica());
      } else if (c instanceof CloseSession o) {
        out.writeByte(2);
        out.writeLong(o.sessionId());
        out.writeLong(o.wseq());
        out.writeLong(o.timeMillis());
      } else if (c instanceof ExpireSession o) {
        out.writeByte(3);
        out.writeLong(o.sessionId());
        out.writeLong(o.timeMillis());
      } else if (c instanceof Write o) {
        out.writeByte(4);
        out.writeLong(o.sessionId());
        out.writeLong(o.wseq());
        out.writeLong(o.timeMillis());
        writeOp(out, o.op());
      } else if (c instanceof Sync o) {
        out.writeByte(5);
        out.writeLong(o.sessionId());
        out.writeLong(o.wseq());
      } else if (c instanceof Attach o) {
        out.writeByte(6);
        out.writeLong(o.sessionId());
        out.writeLong(o.wseqFloor());
        out.writeInt(o.replica());
      } else if (c instanceof Sweep o) {
        out.writeByte(7);
        out.writeLong(o.timeMillis());
        writeStrings(out, o.paths());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Command decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int tag = in.readByte();
      return switch (tag) {
        case 1 -> new OpenSession(in.readLong(), in.readLong(), in.readLong(), in.readInt());
        case 2 -> new CloseSession(in.readLong(), in.readLong(), in.readLong());
        case 3 -> new ExpireSession(in.readLong(), in.readLong());
        case 4 -> new Write(in.readLong(), in.readLong(), in.readLong(), readOp(in));
        case 5 -> new Sync(in.readLong(), in.readLong());
        case 6 -> new Attach(in.readLong(), in.readLong(), in.readInt());
        case 7 -> new Sweep(in.readLong(), readStrings(in));
        default -> throw new IllegalArgumentException("unknown command tag " + tag);
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeOp(DataOutputStream out, TxnOp op) throws IOException {
    if (op instanceof TxnOp.CreateNode c) {
      out.writeByte(1);
      out.writeUTF(c.path());
      writeBytes(out, c.data());
      out.writeByte(c.mode().ordinal());
      out.writeLong(c.ttlMillis());
    } else if (op instanceof TxnOp.DeleteNode d) {
      out.writeByte(2);
      out.writeUTF(d.path());
      out.writeInt(d.version());
    } else if (op instanceof TxnOp.SetData s) {
      out.writeByte(3);
      out.writeUTF(s.path());
      writeBytes(out, s.data());
      out.writeInt(s.version());
    } else if (op instanceof TxnOp.Check k) {
      out.writeByte(4);
      out.writeUTF(k.path());
      out.writeInt(k.version());
    } else if (op instanceof TxnOp.Multi m) {
      out.writeByte(5);
      out.writeInt(m.ops().size());
      for (TxnOp each : m.ops()) {
        writeOp(out, each);
      }
    } else {
      throw new IllegalArgumentException("not a client write: " + op);
    }
  }

  private static TxnOp readOp(DataInputStream in) throws IOException {
    int tag = in.readByte();
    return switch (tag) {
      case 1 -> new TxnOp.CreateNode(in.readUTF(), readBytes(in), CreateMode.values()[in.readByte()], in.readLong());
      case 2 -> new TxnOp.DeleteNode(in.readUTF(), in.readInt());
      case 3 -> new TxnOp.SetData(in.readUTF(), readBytes(in), in.readInt());
      case 4 -> new TxnOp.Check(in.readUTF(), in.readInt());
      case 5 -> {
        int n = in.readInt();
        List<TxnOp> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ops.add(readOp(in));
        }
        yield new TxnOp.Multi(ops);
      }
      default -> throw new IllegalArgumentException("unknown op tag " + tag);
    };
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  private static void writeStrings(DataOutputStream out, List<String> s) throws IOException {
    out.writeInt(s.size());
    for (String each : s) {
      out.writeUTF(each);
    }
  }

  private static List<String> readStrings(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> s = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      s.add(in.readUTF());
    }
    return s;
  }
}
