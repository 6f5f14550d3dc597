package dev.cohort.replicated;

import dev.cohort.inmemory.tree.WatchRegistry;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.Op;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.List;

/**
 * What sessions and replicas say to each other over the simulated network (Raft's own messages are
 * in {@link dev.cohort.replicated.raft.Message}). Links between a session and a replica behave like
 * TCP: in order, never dropped or duplicated, possibly slow (a per-link delay), and cut only as a
 * whole.
 */
final class Wire {
  private Wire() {}

  // ------------------------------------------------------------------ session -> replica

  /**
   * Attach a session to the receiving replica: a new one ({@code timeoutMillis > 0}) or an existing
   * one moving or reconnecting, with the newest zxid it has seen, the last write sequence number it
   * issued, and the watches it holds, to re-arm.
   */
  record Connect(long sessionId, long timeoutMillis, long lastZxid, long wseqFloor, List<WatchRegistry.Held> watches) {}

  /** A request; {@code wseq} is set for writes, syncs and closes (else 0). */
  record Request(long sessionId, long reqId, long wseq, Body body) {}

  record Ping(long sessionId) {}

  /** What a request asks for. */
  sealed interface Body {
    default boolean isWrite() {
      return false;
    }
  }

  enum ReadKind { EXISTS, GET_DATA, GET_CHILDREN }

  record Read(ReadKind kind, String path, Watcher watcher) implements Body {}

  record ReadMulti(List<Op> ops) implements Body {}

  record AddWatch(String path, WatchRegistry.Kind kind, Watcher watcher) implements Body {}

  record RemoveWatches(String path, Watcher watcher) implements Body {}

  record WriteBody(dev.cohort.inmemory.tree.TxnOp op) implements Body {
    @Override
    public boolean isWrite() {
      return true;
    }
  }

  record SyncBody() implements Body {
    @Override
    public boolean isWrite() {
      return true;
    }
  }

  record CloseBody() implements Body {
    @Override
    public boolean isWrite() {
      return true;
    }
  }

  // ------------------------------------------------------------------ replica -> session

  record Connected(long sessionId, long timeoutMillis, long zxid) {}

  record Expired(long sessionId) {}

  /**
   * The answer to request {@code reqId}: a result or an error, with the replica's zxid at that
   * moment, and for a read with a watcher, the kind of watch it set (for the session's own list).
   */
  record Reply(long reqId, long zxid, Object result, CoordinationException error, WatchRegistry.Kind watchKind) {}

  record Event(long zxid, Watcher watcher, WatchEvent event) {}

  record Pong(long zxid) {}

  // ------------------------------------------------------------------ replica -> leader

  /** A command for the leader to propose. */
  record Forward(byte[] command) {}

  /** Sessions the sender heard from recently: the leader pushes their deadlines back. */
  record Alive(long[] sessionIds) {}
}
