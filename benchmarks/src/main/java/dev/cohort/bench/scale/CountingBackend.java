package dev.cohort.bench.scale;

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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A backend that counts the requests every one of its sessions sends, and otherwise passes each
 * call through unchanged. A request is one call of a {@link Session} operation: a {@code multi} is
 * one request however many ops it carries (it is one round trip on every backend), and watch
 * registration calls count like any other. Opening and closing sessions are not counted.
 *
 * <p>Counting at the SPI boundary makes the figure the same on every backend: what the recipes ask
 * of the service, not how a backend's client turns it into packets. The sessions keep the default
 * {@link Session#blocking()} view, which issues each call through this wrapper, so blocking calls
 * are counted too.
 */
final class CountingBackend implements CoordinationBackend {
  private final CoordinationBackend delegate;
  private final LongAdder requests = new LongAdder();

  CountingBackend(CoordinationBackend delegate) {
    this.delegate = delegate;
  }

  /** Requests sent by all sessions since this backend was made. */
  long requests() {
    return requests.sum();
  }

  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    return delegate.openSession(config).thenApply(s -> new CountingSession(s, requests));
  }

  @Override
  public CompletableFuture<Session> openSession() {
    return delegate.openSession().thenApply(s -> new CountingSession(s, requests));
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

  /** One session of the counting backend: counts, then delegates. */
  static final class CountingSession implements Session {
    private final Session delegate;
    private final LongAdder requests;

    CountingSession(Session delegate, LongAdder requests) {
      this.delegate = delegate;
      this.requests = requests;
    }

    @Override
    public long id() {
      return delegate.id();
    }

    @Override
    public SessionState state() {
      return delegate.state();
    }

    @Override
    public Duration sessionTimeout() {
      return delegate.sessionTimeout();
    }

    @Override
    public void addStateListener(SessionStateListener listener) {
      delegate.addStateListener(listener);
    }

    @Override
    public void removeStateListener(SessionStateListener listener) {
      delegate.removeStateListener(listener);
    }

    @Override
    public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
      requests.increment();
      return delegate.create(path, data, mode);
    }

    @Override
    public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode, Duration ttl) {
      requests.increment();
      return delegate.create(path, data, mode, ttl);
    }

    @Override
    public CompletableFuture<Void> delete(String path, int version) {
      requests.increment();
      return delegate.delete(path, version);
    }

    @Override
    public CompletableFuture<Stat> exists(String path, Watcher watcher) {
      requests.increment();
      return delegate.exists(path, watcher);
    }

    @Override
    public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
      requests.increment();
      return delegate.getData(path, watcher);
    }

    @Override
    public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
      requests.increment();
      return delegate.setData(path, data, version);
    }

    @Override
    public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
      requests.increment();
      return delegate.getChildren(path, watcher);
    }

    @Override
    public CompletableFuture<Void> sync(String path) {
      requests.increment();
      return delegate.sync(path);
    }

    @Override
    public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
      requests.increment();
      return delegate.multi(ops);
    }

    @Override
    public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
      requests.increment();
      return delegate.addWatch(path, mode, watcher);
    }

    @Override
    public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
      requests.increment();
      return delegate.removeWatches(path, watcher);
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public String toString() {
      return "Counting[" + delegate + "]";
    }
  }
}
