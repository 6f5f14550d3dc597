package dev.cohort.recipes.counter;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildData;
import dev.cohort.recipes.cache.NodeCache;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

/**
 * A count shared by every client, with versioned compare-and-set and a listener told of changes.
 * The node is created with the initial count if missing; the count is cached (a {@link NodeCache})
 * so {@link #getCount()} never blocks.
 *
 * <p>Guarantees: {@link #trySetCount} writes only if the counter still has the version it was read
 * at, so no update is lost; listeners see changes in order and end on the final count (changes
 * between two reads may be merged), on the client's listener executor. Thread-safe.
 */
public final class SharedCounter implements AutoCloseable {

  private final Cohort client;
  private final String path;
  private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
  private NodeCache cache;

  private SharedCounter(Cohort client, String path) {
    this.client = client;
    this.path = path;
  }

  /** Starts the counter at {@code path}, creating it with {@code initial} if it does not exist. */
  public static SharedCounter start(Cohort client, String path, long initial) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    client.checkUsable();
    SharedCounter counter = new SharedCounter(client, path);
    try {
      await(client.async().createWithParents(path, Longs.encode(initial), CreateMode.PERSISTENT));
    } catch (NodeExistsException e) {
      // someone created it first; its count stands
    }
    counter.cache = NodeCache.start(client, path, counter::changed);
    return counter;
  }

  /** The count as last seen by the cache. */
  public long getCount() {
    return cache.current().map(c -> Longs.decode(path, c.data())).orElseThrow(
        () -> new IllegalStateException("counter node " + path + " was deleted"));
  }

  /** Reads the count and its version now, from the service. */
  public VersionedValue getVersionedValue() throws InterruptedException {
    client.checkUsable();
    NodeData data = await(client.async().getData(path, null));
    return new VersionedValue(Longs.decode(path, data.data()), data.stat().version());
  }

  /**
   * Writes {@code newCount} if the counter is still at {@code previous}'s version.
   *
   * @return true if written; false if someone else wrote since (nothing changed)
   */
  public boolean trySetCount(VersionedValue previous, long newCount) throws InterruptedException {
    Objects.requireNonNull(previous, "previous");
    client.checkUsable();
    try {
      await(client.async().setData(path, Longs.encode(newCount), previous.version()));
      return true;
    } catch (BadVersionException e) {
      return false;
    }
  }

  /** Writes {@code newCount} unconditionally. */
  public void setCount(long newCount) throws InterruptedException {
    client.checkUsable();
    await(client.async().setData(path, Longs.encode(newCount), -1));
  }

  /** Adds a listener told of each new count. */
  public void addListener(LongConsumer listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops following the counter (the node stays). */
  @Override
  public void close() {
    cache.close();
  }

  private void changed(Optional<ChildData> current) {
    if (current.isEmpty()) {
      return;
    }
    long count = Longs.decode(path, current.get().data());
    listeners.forEach(l -> l.accept(count));
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
