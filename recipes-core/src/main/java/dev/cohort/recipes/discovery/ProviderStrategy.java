package dev.cohort.recipes.discovery;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * How a {@link ServiceProvider} picks one instance out of the live ones. A strategy is a pure choice
 * over the list it is given (plus its own small state, such as a counter); it does no I/O.
 * Strategies are thread-safe.
 */
@FunctionalInterface
public interface ProviderStrategy {

  /**
   * Picks one of {@code instances}, or empty if there are none. The list is sorted by id and
   * unmodifiable.
   */
  Optional<ServiceInstance> pick(List<ServiceInstance> instances);

  /**
   * Takes the instances in turn (by id order): over any k × n consecutive picks from an unchanging
   * list of n instances, each is picked exactly k times.
   */
  static ProviderStrategy roundRobin() {
    AtomicLong next = new AtomicLong();
    return instances -> instances.isEmpty()
        ? Optional.empty()
        : Optional.of(instances.get((int) Math.floorMod(next.getAndIncrement(), (long) instances.size())));
  }

  /**
   * Picks uniformly at random using {@code random}, which the caller seeds (so tests and
   * simulations are reproducible). Access to the generator is serialised.
   */
  static ProviderStrategy random(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    return instances -> {
      if (instances.isEmpty()) {
        return Optional.empty();
      }
      int index;
      synchronized (random) {
        index = random.nextInt(instances.size());
      }
      return Optional.of(instances.get(index));
    };
  }

  /**
   * Keeps returning the same instance (matched by id) for as long as it is live; when it goes, asks
   * {@code fallback} for a new one and sticks to that.
   */
  static ProviderStrategy sticky(ProviderStrategy fallback) {
    Objects.requireNonNull(fallback, "fallback");
    AtomicReference<String> current = new AtomicReference<>();
    return instances -> {
      String id = current.get();
      if (id != null) {
        for (ServiceInstance instance : instances) {
          if (instance.id().equals(id)) {
            return Optional.of(instance);
          }
        }
      }
      Optional<ServiceInstance> chosen = fallback.pick(instances);
      current.set(chosen.map(ServiceInstance::id).orElse(null));
      return chosen;
    };
  }
}
