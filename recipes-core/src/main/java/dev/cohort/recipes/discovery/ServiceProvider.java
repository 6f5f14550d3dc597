package dev.cohort.recipes.discovery;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildData;
import dev.cohort.recipes.cache.ChildrenCache;
import dev.cohort.recipes.cache.ChildrenCacheListener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Picks an instance of one service from a cached live view, with a {@link ProviderStrategy}.
 * {@link #pick()} never blocks and never calls the service: it reads the cache, which follows
 * registrations and removals (including instances whose session expired) and ends on the final set.
 * Listeners are told of added, updated and removed instances on the client's listener executor.
 *
 * <p>Thread-safe.
 */
public final class ServiceProvider implements AutoCloseable {

  /** Told of changes to the instances a provider sees. */
  @FunctionalInterface
  public interface InstanceListener {
    /** The live instances after a change, sorted by id. */
    void instancesChanged(List<ServiceInstance> instances);
  }

  private final String service;
  private final ProviderStrategy strategy;
  private final DownInstances down;
  private final List<InstanceListener> listeners = new CopyOnWriteArrayList<>();
  private ChildrenCache cache;
  /** The decoded view and the cache snapshot it was decoded from; replaced whole. */
  private volatile Decoded decoded = new Decoded(Map.of(), List.of());

  private record Decoded(Map<String, ChildData> from, List<ServiceInstance> instances) {}

  private ServiceProvider(String service, ProviderStrategy strategy, DownInstances down) {
    this.service = service;
    this.strategy = strategy;
    this.down = down;
  }

  static ServiceProvider start(
      Cohort client, String service, String path, ProviderStrategy strategy, DownInstancePolicy downPolicy)
      throws InterruptedException {
    Objects.requireNonNull(strategy, "strategy");
    ServiceProvider provider = new ServiceProvider(service, strategy, new DownInstances(downPolicy, client.timeSource()));
    ChildrenCacheListener onChange = (type, child) -> provider.changed();
    provider.cache = ChildrenCache.start(client, path, onChange);
    return provider;
  }

  /** The service's name. */
  public String service() {
    return service;
  }

  /**
   * One live instance chosen by the strategy among those not down (see {@link #noteError}), or
   * empty if none is live and up.
   */
  public Optional<ServiceInstance> pick() {
    return strategy.pick(down.up(current()));
  }

  /** Every live instance, sorted by id, including those reported down. */
  public List<ServiceInstance> instances() {
    return current();
  }

  /**
   * Reports that a call to {@code instance} failed. Enough reports put the instance down, and
   * {@link #pick()} skips it for a while, as this provider's {@link DownInstancePolicy} says. Local
   * to this provider; cheap, no I/O.
   *
   * @throws IllegalArgumentException if {@code instance} belongs to another service (nothing noted)
   */
  public void noteError(ServiceInstance instance) {
    Objects.requireNonNull(instance, "instance");
    if (!instance.service().equals(service)) {
      throw new IllegalArgumentException(instance.service() + "/" + instance.id()
          + " is not an instance of " + service + ", which this provider follows");
    }
    down.noteError(instance.id());
  }

  /** Adds a listener for changes from now on. */
  public void addListener(InstanceListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops following the service and removes the provider's watches. */
  @Override
  public void close() {
    cache.close();
  }

  private List<ServiceInstance> current() {
    Map<String, ChildData> children = cache.children();
    Decoded last = decoded;
    if (last.from() == children) {
      return last.instances();
    }
    List<ServiceInstance> fresh = new ArrayList<>(children.size());
    for (ChildData child : children.values()) {
      ServiceInstance instance = ServiceDiscovery.decodeOrNull(service, child);
      if (instance != null) {
        fresh.add(instance);
      }
    }
    fresh.sort(Comparator.comparing(ServiceInstance::id));
    List<ServiceInstance> result = List.copyOf(fresh);
    // Two threads may decode at once; each returns what it decoded, and the memo is only a memo.
    decoded = new Decoded(children, result);
    return result;
  }

  private void changed() {
    List<ServiceInstance> now = current();
    listeners.forEach(l -> l.instancesChanged(now));
  }
}
