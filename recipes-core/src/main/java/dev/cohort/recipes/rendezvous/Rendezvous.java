package dev.cohort.recipes.rendezvous;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.cache.ChildData;
import dev.cohort.recipes.cache.NodeCache;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A rendezvous between a master and its workers, which start in any order: the master {@link
 * #publish publishes} data (an address, a configuration) at a path, and republishes it when it
 * changes; workers {@link #join join}, {@link #await} the data with a timeout, and are told of every
 * later change.
 *
 * <p>Guarantees: {@code await} returns the published data as soon as it exists, whether it was
 * published before or after the worker joined; the change listener ends on the final data after
 * disconnects and session losses (changes in quick succession may be merged into the latest); a
 * worker's watch is removed by {@link #close()}. Thread-safe.
 */
public final class Rendezvous implements AutoCloseable {
  private final Cohort client;
  private final NodeCache cache;
  private final CompletableFuture<byte[]> first = new CompletableFuture<>();

  private Rendezvous(Cohort client, NodeCache cache) {
    this.client = client;
    this.cache = cache;
  }

  /** Publishes (or republishes) {@code data} at {@code path}, creating the node and its parents. */
  public static void publish(Cohort client, String path, byte[] data) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    Objects.requireNonNull(data, "data");
    client.checkUsable();
    while (true) {
      try {
        await(client.async().setData(path, data, -1));
        return;
      } catch (NoNodeException missing) {
        try {
          await(client.async().createWithParents(path, data, CreateMode.PERSISTENT));
          return;
        } catch (NodeExistsException raced) {
          // created meanwhile: set it on the next turn
        }
      }
    }
  }

  /** Withdraws the data (deletes the node); workers see it go. A no-op if nothing is published. */
  public static void withdraw(Cohort client, String path) throws InterruptedException {
    client.checkUsable();
    try {
      await(client.async().delete(path, -1));
    } catch (NoNodeException e) {
      // nothing published
    }
  }

  /**
   * Joins as a worker. {@code onChange} (may be null) is told of the data each time it is published
   * or republished, on the client's listener executor.
   */
  public static Rendezvous join(Cohort client, String path, Consumer<byte[]> onChange) throws InterruptedException {
    client.checkUsable();
    CompletableFuture<Rendezvous> self = new CompletableFuture<>();
    NodeCache cache = NodeCache.start(client, path, current -> {
      if (current.isPresent()) {
        byte[] data = current.get().data();
        self.thenAccept(r -> r.first.complete(data));
        if (onChange != null) {
          onChange.accept(data);
        }
      }
    });
    Rendezvous rendezvous = new Rendezvous(client, cache);
    self.complete(rendezvous);
    cache.current().map(ChildData::data).ifPresent(rendezvous.first::complete);
    return rendezvous;
  }

  /**
   * The published data, waiting up to {@code timeout} for the master to publish it.
   *
   * @return the data, or empty if nothing was published in time
   */
  public Optional<byte[]> await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    Optional<byte[]> now = cache.current().map(ChildData::data);
    if (now.isPresent()) {
      return now;
    }
    if (!Deadline.after(client, timeout).await(first)) {
      return Optional.empty();
    }
    return cache.current().map(ChildData::data).or(() -> Optional.of(first.join()));
  }

  /** The data as last seen, if any. Never blocks. */
  public Optional<byte[]> current() {
    return cache.current().map(ChildData::data);
  }

  /** Stops following the data and removes the watch. */
  @Override
  public void close() {
    cache.close();
  }

  private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
