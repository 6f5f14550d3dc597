package dev.cohort.bench.recipes;

import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.SessionStateListener;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A backend that passes every call on to another and counts what crosses the SPI: requests sent
 * (every call that goes to the service), children names read by listings, and watch events
 * delivered (each one wakes at most one waiting contender). For scale benchmarks: the counts are
 * exact, whatever the machine's load.
 */
public final class CountingBackend implements CoordinationBackend {

  private final CoordinationBackend delegate;
  private final LongAdder requests = new LongAdder();
  private final LongAdder listedNames = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAccumulator longestListing = new LongAccumulator(Math::max, 0);

  /** Counts the calls made to {@code delegate} through this backend's sessions. */
  public CountingBackend(CoordinationBackend delegate) {
    this.delegate = delegate;
  }

  /** Requests sent so far, over all sessions. */
  public long requests() {
    return requests.sum();
  }

  /** Names returned by listings so far. */
  public long listedNames() {
    return listedNames.sum();
  }

  /** Watch events delivered so far. */
  public long events() {
    return events.sum();
  }

  /** The most names one listing returned so far (a getChildren, or one inside a multi). */
  public long longestListing() {
    return longestListing.get();
  }

  /** Sets every count back to zero, to measure the next stretch on its own. */
  public void reset() {
    requests.reset();
    listedNames.reset();
    events.reset();
    longestListing.reset();
  }

  private void listed(int names) {
    listedNames.add(names);
    longestListing.accumulate(names);
  }

  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    return delegate.openSession(config).thenApply(Counting::new);
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public boolean has(Capability capability) {
    return delegate.has(capability);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** One session's calls, counted. */
  private final class Counting implements Session {
    private final Session s;
    /** The counting watcher made for each caller's watcher, so that removeWatches finds it. */
    private final Map<Watcher, Watcher> wrapped = new ConcurrentHashMap<>();

    Counting(Session s) {
      this.s = s;
    }

    /** A one-shot watch's watcher: forgotten once it fired. */
    private Watcher wrap(Watcher w) {
      if (w == null) {
        return null;
      }
      return wrapped.computeIfAbsent(w, original -> event -> {
        wrapped.remove(original);
        events.increment();
        original.process(event);
      });
    }

    /** A persistent watch's watcher: kept until removed. */
    private Watcher wrapPersistent(Watcher w) {
      return wrapped.computeIfAbsent(w, original -> event -> {
        events.increment();
        original.process(event);
      });
    }

    private void count() {
      requests.increment();
    }

    @Override
    public long id() {
      return s.id();
    }

    @Override
    public SessionState state() {
      return s.state();
    }

    @Override
    public Duration sessionTimeout() {
      return s.sessionTimeout();
    }

    @Override
    public void addStateListener(SessionStateListener listener) {
      s.addStateListener(listener);
    }

    @Override
    public void removeStateListener(SessionStateListener listener) {
      s.removeStateListener(listener);
    }

    @Override
    public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
      count();
      return s.create(path, data, mode);
    }

    @Override
    public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode, Duration ttl) {
      count();
      return s.create(path, data, mode, ttl);
    }

    @Override
    public CompletableFuture<Void> delete(String path, int version) {
      count();
      return s.delete(path, version);
    }

    @Override
    public CompletableFuture<Stat> exists(String path, Watcher watcher) {
      count();
      return s.exists(path, wrap(watcher));
    }

    @Override
    public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
      count();
      return s.getData(path, wrap(watcher));
    }

    @Override
    public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
      count();
      return s.setData(path, data, version);
    }

    @Override
    public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
      count();
      return s.getChildren(path, wrap(watcher)).thenApply(c -> {
        listed(c.names().size());
        return c;
      });
    }

    @Override
    public CompletableFuture<Void> sync(String path) {
      count();
      return s.sync(path);
    }

    @Override
    public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
      count();
      return s.multi(ops).thenApply(results -> {
        for (OpResult r : results) {
          if (r instanceof OpResult.GetChildrenResult c) {
            listed(c.children().size());
          }
        }
        return results;
      });
    }

    @Override
    public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
      count();
      return s.addWatch(path, mode, wrapPersistent(watcher));
    }

    @Override
    public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
      count();
      Watcher w = watcher == null ? null : wrapped.remove(watcher);
      return s.removeWatches(path, w == null ? watcher : w);
    }

    @Override
    public void close() {
      s.close();
    }
  }
}
