package dev.cohort.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The default {@link BlockingSession}: issues the asynchronous operation and waits for its future.
 * Correct on any backend, since it adds nothing to the operation; a backend whose client can answer
 * the waiting thread directly overrides {@link Session#blocking()} instead.
 */
final class AwaitingBlockingSession implements BlockingSession {

  private final Session session;

  AwaitingBlockingSession(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  @Override
  public Created create(String path, byte[] data, CreateMode mode) throws InterruptedException {
    return await(() -> session.create(path, data, mode));
  }

  @Override
  public Created create(String path, byte[] data, CreateMode mode, Duration ttl) throws InterruptedException {
    return await(() -> session.create(path, data, mode, ttl));
  }

  @Override
  public void delete(String path, int version) throws InterruptedException {
    await(() -> session.delete(path, version));
  }

  @Override
  public Stat exists(String path, Watcher watcher) throws InterruptedException {
    return await(() -> session.exists(path, watcher));
  }

  @Override
  public NodeData getData(String path, Watcher watcher) throws InterruptedException {
    return await(() -> session.getData(path, watcher));
  }

  @Override
  public Stat setData(String path, byte[] data, int version) throws InterruptedException {
    return await(() -> session.setData(path, data, version));
  }

  @Override
  public Children getChildren(String path, Watcher watcher) throws InterruptedException {
    return await(() -> session.getChildren(path, watcher));
  }

  @Override
  public void sync(String path) throws InterruptedException {
    await(() -> session.sync(path));
  }

  @Override
  public List<OpResult> multi(List<Op> ops) throws InterruptedException {
    return await(() -> session.multi(ops));
  }

  /** Issues {@code operation} unless interrupted on entry, and waits for it; rethrows its failure. */
  private static <T> T await(Supplier<CompletableFuture<T>> operation) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before the operation was sent");
    }
    try {
      return operation.get().get();
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  private static RuntimeException rethrown(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException e) {
      return e;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    // The contract allows only CoordinationException; a backend that breaks it still gets reported.
    return new IllegalStateException("operation failed with a checked exception", cause);
  }

  @Override
  public String toString() {
    return "blocking view of " + session;
  }
}
