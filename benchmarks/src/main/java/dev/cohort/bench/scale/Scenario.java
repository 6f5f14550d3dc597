package dev.cohort.bench.scale;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One workload of the sweep: a name, what one operation is, the sizes it is swept over, the largest
 * size each backend affords (with the reason), and how to set up a {@link Point} at a size.
 *
 * <p>A new scenario is one expression added to {@link Scenarios#ALL}:
 *
 * <pre>{@code
 * Scenario.named("tree-cache", "one node update seen by a TreeCache of n nodes")
 *     .sizes(10, 1_000, 100_000, 1_000_000)
 *     .limit(Backend.ZOOKEEPER, 100_000, "a 1M-node tree takes minutes to create through one fsyncing server")
 *     .setup((env, n) -> { ...create n nodes, start the cache...; return () -> { ...one op...; return 1; }; })
 * }</pre>
 */
public final class Scenario {

  /** Sets up a scenario at one size on a fresh backend. */
  @FunctionalInterface
  public interface Setup {
    /**
     * Creates the point's state ({@code size} queued jobs, waiters, members…) with clients from
     * {@code env}, and returns the operation to measure.
     *
     * @throws Refused if a recipe refuses the size
     */
    Point setUp(Env env, int size) throws Exception;
  }

  /** Why a backend skips the sizes above {@code maxSize}. */
  public record Limit(int maxSize, String reason) {}

  private final String name;
  private final String operation;
  private final List<Integer> sizes;
  private final List<Integer> quickSizes;
  private final Map<Backend, Limit> limits;
  private final Setup setup;

  private Scenario(String name, String operation, List<Integer> sizes, List<Integer> quickSizes,
      Map<Backend, Limit> limits, Setup setup) {
    this.name = name;
    this.operation = operation;
    this.sizes = List.copyOf(sizes);
    this.quickSizes = List.copyOf(quickSizes);
    this.limits = Map.copyOf(limits);
    this.setup = setup;
  }

  /** Starts a scenario called {@code name} (one word, used in file names) whose operation is {@code operation}. */
  public static Builder named(String name, String operation) {
    return new Builder(name, operation);
  }

  /** The scenario's name, as given to {@code --scenarios}. */
  public String name() {
    return name;
  }

  /** What one operation is, as printed under the table. */
  public String operation() {
    return operation;
  }

  /** The sizes of a full sweep. */
  public List<Integer> sizes() {
    return sizes;
  }

  /** The sizes of a {@code --quick} sweep. */
  public List<Integer> quickSizes() {
    return quickSizes;
  }

  /** Why {@code backend} skips {@code size}, if it does: the reason of its {@link Limit}. */
  public Optional<String> unaffordable(Backend backend, int size) {
    Limit limit = limits.get(backend);
    if (limit == null || size <= limit.maxSize()) {
      return Optional.empty();
    }
    return Optional.of(limit.reason());
  }

  Point setUp(Env env, int size) throws Exception {
    return setup.setUp(env, size);
  }

  /** Builds a {@link Scenario}. */
  public static final class Builder {
    private final String name;
    private final String operation;
    private final List<Integer> sizes = new ArrayList<>();
    private final List<Integer> quickSizes = new ArrayList<>();
    private final Map<Backend, Limit> limits = new EnumMap<>(Backend.class);

    private Builder(String name, String operation) {
      if (!name.matches("[a-z0-9-]+")) {
        throw new IllegalArgumentException("a scenario name is lower-case letters, digits and '-': " + name);
      }
      this.name = name;
      this.operation = Objects.requireNonNull(operation, "operation");
    }

    /** The sizes of a full sweep, ascending. */
    public Builder sizes(int... values) {
      sizes.clear();
      for (int v : values) {
        sizes.add(v);
      }
      return this;
    }

    /** The sizes of a {@code --quick} sweep; default: the full sweep's two smallest, at most 100. */
    public Builder quickSizes(int... values) {
      quickSizes.clear();
      for (int v : values) {
        quickSizes.add(v);
      }
      return this;
    }

    /** {@code backend} runs this scenario only up to {@code maxSize}, for {@code reason}. */
    public Builder limit(Backend backend, int maxSize, String reason) {
      limits.put(backend, new Limit(maxSize, reason));
      return this;
    }

    /** Sets the setup and builds the scenario. */
    public Scenario setup(Setup setup) {
      Objects.requireNonNull(setup, "setup");
      if (sizes.isEmpty()) {
        throw new IllegalStateException("scenario " + name + " has no sizes");
      }
      List<Integer> quick = quickSizes;
      if (quick.isEmpty()) {
        quick = sizes.stream().filter(s -> s <= 100).limit(2).toList();
      }
      return new Scenario(name, operation, sizes, quick, limits, setup);
    }
  }
}
