package dev.cohort.recipes;

import dev.cohort.spi.Children;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Stat;
import dev.cohort.spi.TimeSource;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The client's operations with each one reported to a {@link CohortEvents}: started, then finished
 * with its duration and outcome. The client puts this wrapper in place only when a listener is
 * bound, so a client without one runs the operations unwrapped.
 *
 * <p>An operation refused at once (the client not started or closed) is reported too, as failed
 * with the exception it throws.
 */
final class EventOps implements AsyncOps {
  private final AsyncOps ops;
  private final CohortEvents events;
  private final TimeSource time;

  EventOps(AsyncOps ops, CohortEvents events, TimeSource time) {
    this.ops = ops;
    this.events = events;
    this.time = time;
  }

  /** Reports {@code call}, an operation named {@code name}, from its start to its completion. */
  private <T> CompletableFuture<T> timed(String name, Supplier<CompletableFuture<T>> call) {
    Object context = events.operationStarted(name);
    long start = time.nanoTime();
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException refused) {
      finish(context, name, start, refused);
      throw refused;
    }
    if (future.isDone()) {
      finish(context, name, start, future.isCompletedExceptionally() ? failureOf(future) : null);
      return future;
    }
    return future.whenComplete((result, error) -> finish(context, name, start, unwrap(error)));
  }

  private void finish(Object context, String name, long start, Throwable failure) {
    events.operationFinished(context, name, time.nanoTime() - start, failure);
  }

  private static Throwable failureOf(CompletableFuture<?> done) {
    try {
      done.join();
      return null;
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return unwrap(e);
    }
  }

  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  @Override
  public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
    return timed("create", () -> ops.create(path, data, mode));
  }

  @Override
  public CompletableFuture<Created> createWithParents(String path, byte[] data, CreateMode mode) {
    return timed("createWithParents", () -> ops.createWithParents(path, data, mode));
  }

  @Override
  public CompletableFuture<OwnedNode> createProtected(String parent, String name, byte[] data, CreateMode mode) {
    return timed("createProtected", () -> ops.createProtected(parent, name, data, mode));
  }

  @Override
  public CompletableFuture<OwnedNode> createProtectedReplacing(OwnedNode released, String name, byte[] data,
      CreateMode mode) {
    return timed("createProtected", () -> ops.createProtectedReplacing(released, name, data, mode));
  }

  @Override
  public CompletableFuture<Void> delete(String path, int version) {
    return timed("delete", () -> ops.delete(path, version));
  }

  @Override
  public CompletableFuture<Boolean> deleteGuaranteed(String path, int version) {
    return timed("deleteGuaranteed", () -> ops.deleteGuaranteed(path, version));
  }

  @Override
  public CompletableFuture<Boolean> deleteIfOwned(OwnedNode node) {
    return timed("deleteIfOwned", () -> ops.deleteIfOwned(node));
  }

  @Override
  public CompletableFuture<Boolean> deleteIfOwned(OwnedNode node, byte[] finalData) {
    return timed("deleteIfOwned", () -> ops.deleteIfOwned(node, finalData));
  }

  @Override
  public CompletableFuture<Boolean> deleteIfOwnedJoinable(OwnedNode node, byte[] finalData) {
    return timed("deleteIfOwned", () -> ops.deleteIfOwnedJoinable(node, finalData));
  }

  @Override
  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    return timed("exists", () -> ops.exists(path, watcher));
  }

  @Override
  public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
    return timed("getData", () -> ops.getData(path, watcher));
  }

  @Override
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    return timed("setData", () -> ops.setData(path, data, version));
  }

  @Override
  public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
    return timed("getChildren", () -> ops.getChildren(path, watcher));
  }

  @Override
  public CompletableFuture<Void> sync(String path) {
    return timed("sync", () -> ops.sync(path));
  }

  @Override
  public CompletableFuture<List<OpResult>> multi(List<Op> opList) {
    return timed("multi", () -> ops.multi(opList));
  }

  @Override
  public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
    return timed("addWatch", () -> ops.addWatch(path, mode, watcher));
  }

  @Override
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
    return timed("removeWatches", () -> ops.removeWatches(path, watcher));
  }

  /** The blocking operations, reported the same way. */
  static final class BlockingEvents implements BlockingOps {
    private final BlockingOps ops;
    private final CohortEvents events;
    private final TimeSource time;

    BlockingEvents(BlockingOps ops, CohortEvents events, TimeSource time) {
      this.ops = ops;
      this.events = events;
      this.time = time;
    }

    /** A blocking operation, as a value-returning call that may be interrupted. */
    private interface Call<T> {
      T run() throws InterruptedException;
    }

    private <T> T timed(String name, Call<T> call) throws InterruptedException {
      Object context = events.operationStarted(name);
      long start = time.nanoTime();
      Throwable failure = null;
      try {
        return call.run();
      } catch (InterruptedException | RuntimeException | Error e) {
        failure = e;
        throw e;
      } finally {
        events.operationFinished(context, name, time.nanoTime() - start, failure);
      }
    }

    @Override
    public Created create(String path, byte[] data, CreateMode mode) throws InterruptedException {
      return timed("create", () -> ops.create(path, data, mode));
    }

    @Override
    public Created createWithParents(String path, byte[] data, CreateMode mode) throws InterruptedException {
      return timed("createWithParents", () -> ops.createWithParents(path, data, mode));
    }

    @Override
    public OwnedNode createProtected(String parent, String name, byte[] data, CreateMode mode)
        throws InterruptedException {
      return timed("createProtected", () -> ops.createProtected(parent, name, data, mode));
    }

    @Override
    public OwnedNode createProtectedReplacing(OwnedNode released, String name, byte[] data, CreateMode mode)
        throws InterruptedException {
      return timed("createProtected", () -> ops.createProtectedReplacing(released, name, data, mode));
    }

    @Override
    public void delete(String path, int version) throws InterruptedException {
      timed("delete", () -> {
        ops.delete(path, version);
        return null;
      });
    }

    // deleteIfOwned runs through the asynchronous operations, which report it already.
    @Override
    public boolean deleteIfOwned(OwnedNode node) throws InterruptedException {
      return ops.deleteIfOwned(node);
    }

    @Override
    public boolean deleteIfOwned(OwnedNode node, byte[] finalData) throws InterruptedException {
      return ops.deleteIfOwned(node, finalData);
    }

    @Override
    public Stat exists(String path, Watcher watcher) throws InterruptedException {
      return timed("exists", () -> ops.exists(path, watcher));
    }

    @Override
    public NodeData getData(String path, Watcher watcher) throws InterruptedException {
      return timed("getData", () -> ops.getData(path, watcher));
    }

    @Override
    public Stat setData(String path, byte[] data, int version) throws InterruptedException {
      return timed("setData", () -> ops.setData(path, data, version));
    }

    @Override
    public Children getChildren(String path, Watcher watcher) throws InterruptedException {
      return timed("getChildren", () -> ops.getChildren(path, watcher));
    }

    @Override
    public void sync(String path) throws InterruptedException {
      timed("sync", () -> {
        ops.sync(path);
        return null;
      });
    }

    @Override
    public List<OpResult> multi(List<Op> opList) throws InterruptedException {
      return timed("multi", () -> ops.multi(opList));
    }
  }
}
