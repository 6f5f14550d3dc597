package dev.cohort.spi;

import java.time.Duration;
import java.util.List;

/**
 * A session's operations in blocking form: {@link Session#blocking()}. Each method does what the
 * {@link Session} method of the same name does, and waits for it on the calling thread.
 *
 * <h2>Same as the asynchronous form</h2>
 * Arguments, results, effects and errors are those of the matching {@link Session} operation: a
 * failure the future would complete with is thrown instead, as the same unchecked {@link
 * CoordinationException} subclass (a refused argument included), and then nothing has changed
 * (except after {@link ConnectionLossException}, whose outcome is unknown). A watcher passed to a
 * read is registered exactly as the asynchronous read would register it, and its event is delivered
 * on the session's event thread like any other. An operation is ordered after every operation
 * issued on the session before it, and before every operation issued after it returns.
 *
 * <h2>What differs: only the waiting thread</h2>
 * The call returns as soon as its own result is known. It does not wait for the event thread: when
 * it returns, completions of asynchronous operations issued earlier, and watch events of changes its
 * result already shows, may still be on their way to their callbacks. Code that needs a watch event
 * before the data that shows its change must use the asynchronous form.
 *
 * <h2>Interrupts</h2>
 * A thread interrupted on entry gets {@link InterruptedException} at once, with nothing sent. A
 * thread interrupted while waiting gets {@link InterruptedException}, and the operation may still
 * take effect, as after a lost reply. Either way the interrupt status is cleared, as usual for a
 * method that throws {@link InterruptedException}.
 *
 * <p>Do not call these methods on the session's event thread (inside a watcher or a callback of a
 * future): a backend may need that thread to finish the call.
 *
 * <h2>Implementation notes</h2>
 * {@link Session#blocking()} by default returns a view that issues the asynchronous operation and
 * waits for its future, which is correct for every backend. Override it when the service's client
 * can answer a waiting thread directly, saving the hand-off through the event thread; keep the
 * checks, error mapping and watch bookkeeping of the asynchronous path, ideally by sharing them.
 */
public interface BlockingSession {

  /** {@link Session#create(String, byte[], CreateMode)}, waiting for the result. */
  Created create(String path, byte[] data, CreateMode mode) throws InterruptedException;

  /** {@link Session#create(String, byte[], CreateMode, Duration)}, waiting for the result. */
  Created create(String path, byte[] data, CreateMode mode, Duration ttl) throws InterruptedException;

  /** {@link Session#delete(String, int)}, waiting for the result. */
  void delete(String path, int version) throws InterruptedException;

  /** {@link Session#exists(String, Watcher)}, waiting for the result: the stat, or null. */
  Stat exists(String path, Watcher watcher) throws InterruptedException;

  /** {@link #exists(String, Watcher)} without a watch. */
  default Stat exists(String path) throws InterruptedException {
    return exists(path, null);
  }

  /** {@link Session#getData(String, Watcher)}, waiting for the result. */
  NodeData getData(String path, Watcher watcher) throws InterruptedException;

  /** {@link #getData(String, Watcher)} without a watch. */
  default NodeData getData(String path) throws InterruptedException {
    return getData(path, null);
  }

  /** {@link Session#setData(String, byte[], int)}, waiting for the result. */
  Stat setData(String path, byte[] data, int version) throws InterruptedException;

  /** {@link Session#getChildren(String, Watcher)}, waiting for the result. */
  Children getChildren(String path, Watcher watcher) throws InterruptedException;

  /** {@link #getChildren(String, Watcher)} without a watch. */
  default Children getChildren(String path) throws InterruptedException {
    return getChildren(path, null);
  }

  /** {@link Session#sync(String)}, waiting for the result. */
  void sync(String path) throws InterruptedException;

  /**
   * {@link Session#multi(List)}, waiting for the result. A failed multi throws the exception of the
   * first op that failed, whose {@link CoordinationException#opIndex()} says which one.
   */
  List<OpResult> multi(List<Op> ops) throws InterruptedException;
}
