package dev.cohort.micrometer;

import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.spi.CoordinationException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Records what a Cohort client and its recipes report ({@link CohortEvents}) as Micrometer meters
 * and, when an {@link ObservationRegistry} is given, as observations (spans, through Micrometer
 * Tracing: OpenTelemetry or Brave).
 *
 * <pre>{@code
 * CohortMetrics metrics = CohortMetrics.builder(meterRegistry)
 *     .observationRegistry(observationRegistry)   // optional
 *     .tags(Tags.of("client", "orders"))            // optional, on every meter
 *     .build();
 * Cohort client = Cohort.builder(backend).events(metrics).build();
 * }</pre>
 *
 * <p>One instance serves one client: its gauges (session state, queue depth, in-flight claims,
 * owned partitions, terms held) describe that client. Two clients on one registry need different
 * {@linkplain Builder#tags common tags}, or their gauges collide (Micrometer keeps the first gauge
 * registered under an id).
 *
 * <p>Recipe paths become the {@code path} tag through a configurable mapping, by default the first
 * {@value #DEFAULT_PATH_DEPTH} segments of the recipe's path (so {@code /locks/orders/42} is tagged
 * {@code /locks/orders}); a job id or a sequential node's name is never a tag. The meter names and
 * tags are listed in this module's README.
 *
 * <p>Thread-safe; every method is quick and never blocks (meters are looked up in local maps after
 * their first use).
 */
public final class CohortMetrics implements CohortEvents {

  /** How many leading segments of a recipe path the default {@code path} tag keeps. */
  public static final int DEFAULT_PATH_DEPTH = 2;

  /** The path tag when the application's mapping returned null or threw. */
  static final String INVALID_PATH_TAG = "invalid";

  /** Above this many distinct recipe paths, path tags are computed afresh rather than remembered. */
  private static final int MAX_REMEMBERED_PATHS = 1024;

  private final MeterRegistry registry;
  private final ObservationRegistry observations;
  private final Tags common;
  private final UnaryOperator<String> pathTag;

  private final Map<String, String> pathTags = new ConcurrentHashMap<>();
  private final Map<MeterKey, Object> meters = new ConcurrentHashMap<>();
  private final Map<MeterKey, AtomicLong> gauges = new ConcurrentHashMap<>();
  /** Fast paths for the frequent events: successful operations by name, lock meters by kind and path. */
  private final Map<String, Timer> successes = new ConcurrentHashMap<>();
  private final Map<String, Map<String, LockMeters>> locks = new ConcurrentHashMap<>();

  private volatile ConnectionState state;

  private CohortMetrics(Builder b) {
    this.registry = b.registry;
    this.observations = b.observations == null || b.observations.isNoop() ? null : b.observations;
    this.common = b.tags;
    this.pathTag = b.pathTag;
    for (ConnectionState s : ConnectionState.values()) {
      Gauge.builder("cohort.session.state", this, m -> m.state == s ? 1 : 0)
          .description("1 for the client's current connection state, 0 for the others")
          .tags(common).tag("state", lower(s.name()))
          .register(registry);
    }
  }

  /** A builder recording to {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /** The default path tag: the first {@code depth} segments of {@code path}. */
  static String prefix(String path, int depth) {
    int seen = 0;
    for (int i = 1; i < path.length(); i++) {
      if (path.charAt(i) == '/' && ++seen == depth) {
        return path.substring(0, i);
      }
    }
    return path;
  }

  // ---- session and operations --------------------------------------------------------------

  @Override
  public void connectionStateChanged(ConnectionState previous, ConnectionState current) {
    state = current;
    counter("cohort.session.transitions", "Connection state transitions of the client",
        "from", previous == null ? "none" : lower(previous.name()), "to", lower(current.name())).increment();
  }

  @Override
  public Object operationStarted(String operation) {
    if (observations == null) {
      return null;
    }
    return Observation.createNotStarted("cohort.operation", observations)
        .contextualName("cohort " + operation)
        .lowCardinalityKeyValue("operation", operation)
        .start();
  }

  @Override
  public void operationFinished(Object context, String operation, long nanos, Throwable failure) {
    if (failure == null) {
      // The common case in one map lookup, with nothing allocated.
      Timer success = successes.get(operation);
      if (success == null) {
        success = successes.computeIfAbsent(operation, op -> operationTimer(op, "success"));
      }
      success.record(nanos, TimeUnit.NANOSECONDS);
      stop(context, "outcome", "success", null);
      return;
    }
    String outcome = outcome(failure);
    operationTimer(operation, outcome).record(nanos, TimeUnit.NANOSECONDS);
    stop(context, "outcome", outcome, failure);
  }

  private Timer operationTimer(String operation, String outcome) {
    return timer("cohort.operations", "Operations of the client, retries included, by operation and outcome",
        "operation", operation, "outcome", outcome);
  }

  /** {@code success}, the error code of a coordination failure, or the exception's class name. */
  static String outcome(Throwable failure) {
    if (failure == null) {
      return "success";
    }
    if (failure instanceof CoordinationException ce) {
      return lower(ce.code().name());
    }
    return failure.getClass().getSimpleName();
  }

  // ---- locks and ownership -----------------------------------------------------------------

  @Override
  public Object lockWaitStarted(String kind, String path) {
    if (observations == null) {
      return null;
    }
    return Observation.createNotStarted("cohort.lock.acquire", observations)
        .contextualName("cohort " + kind + " acquire")
        .lowCardinalityKeyValue("kind", kind)
        .lowCardinalityKeyValue("path", path(path))
        .start();
  }

  @Override
  public void lockAcquired(Object context, String kind, String path, long waitNanos, boolean contended) {
    LockMeters m = lockMeters(kind, path);
    m.waitAcquired.record(waitNanos, TimeUnit.NANOSECONDS);
    (contended ? m.contended : m.uncontended).increment();
    m.holds.incrementAndGet();
    stop(context, "contention", contended ? "contended" : "uncontended", null);
  }

  /** The meters of one lock recipe's acquisitions and holds, looked up once per kind and path. */
  private final class LockMeters {
    final Timer waitAcquired;
    final Timer held;
    final Counter contended;
    final Counter uncontended;
    final AtomicLong holds;

    LockMeters(String kind, String tag) {
      waitAcquired = timer("cohort.lock.wait", "Time from the start of an acquire to its end", "kind", kind,
          "path", tag, "outcome", "acquired");
      held = timer("cohort.lock.held", "Time from acquisition to release", "kind", kind, "path", tag);
      contended = acquisitions(kind, tag, "contended");
      uncontended = acquisitions(kind, tag, "uncontended");
      holds = gauge("cohort.lock.holds", "Holds of this client now", "kind", kind, "path", tag);
    }

    private Counter acquisitions(String kind, String tag, String contention) {
      return counter("cohort.lock.acquisitions", "Acquisitions, contended (waited or found others queued) or not",
          "kind", kind, "path", tag, "contention", contention);
    }
  }

  private LockMeters lockMeters(String kind, String path) {
    Map<String, LockMeters> byPath = locks.get(kind);
    if (byPath == null) {
      byPath = locks.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
    }
    LockMeters m = byPath.get(path);
    if (m != null) {
      return m;
    }
    m = new LockMeters(kind, path(path));
    if (byPath.size() < MAX_REMEMBERED_PATHS) {
      byPath.put(path, m); // meters are shared through the registry: a duplicate is harmless
    }
    return m;
  }

  @Override
  public void lockNotAcquired(Object context, String kind, String path, long waitNanos, Throwable failure) {
    String outcome = failure == null ? "timeout" : outcome(failure);
    timer("cohort.lock.wait", "Time from the start of an acquire to its end", "kind", kind, "path", path(path),
        "outcome", outcome).record(waitNanos, TimeUnit.NANOSECONDS);
    stop(context, "outcome", outcome, failure);
  }

  @Override
  public void lockReleased(String kind, String path, long heldNanos) {
    LockMeters m = lockMeters(kind, path);
    m.held.record(heldNanos, TimeUnit.NANOSECONDS);
    m.holds.decrementAndGet();
  }

  @Override
  public void ownershipChanged(String kind, String path, OwnershipListener.Change change) {
    counter("cohort.ownership.changes", "Holds that may be lost (suspended), were confirmed, or were lost",
        "kind", kind, "path", path(path), "change", lower(change.name())).increment();
  }

  // ---- leadership --------------------------------------------------------------------------

  @Override
  public void leadershipChanged(String path, boolean gained, long termNanos) {
    String tag = path(path);
    counter("cohort.leadership.changes", "Leadership terms gained and lost", "path", tag,
        "change", gained ? "gained" : "lost").increment();
    AtomicLong leading = gauge("cohort.leadership.leading", "Terms this client leads now", "path", tag);
    if (gained) {
      leading.incrementAndGet();
    } else {
      leading.decrementAndGet();
      timer("cohort.leadership.term", "How long each leadership term lasted", "path", tag)
          .record(termNanos, TimeUnit.NANOSECONDS);
    }
  }

  // ---- queue -------------------------------------------------------------------------------

  @Override
  public void jobPut(String path) {
    counter("cohort.queue.puts", "Jobs put", "path", path(path)).increment();
  }

  @Override
  public void jobClaimed(String path) {
    String tag = path(path);
    counter("cohort.queue.claims", "Jobs claimed by this client", "path", tag).increment();
    gauge("cohort.queue.in.flight", "Jobs this client has claimed and not yet settled", "path", tag)
        .incrementAndGet();
  }

  @Override
  public void jobSettled(String path, JobOutcome outcome) {
    String tag = path(path);
    counter("cohort.queue.settled", "Claimed jobs completed, requeued, dead-lettered or lost", "path", tag,
        "outcome", lower(outcome.name())).increment();
    gauge("cohort.queue.in.flight", "Jobs this client has claimed and not yet settled", "path", tag)
        .decrementAndGet();
  }

  @Override
  public void queueDepth(String path, int jobs) {
    gauge("cohort.queue.depth", "Jobs in the queue (pending and claimed) at the last reading", "path",
        path(path)).set(jobs);
  }

  // ---- partitions and caches ---------------------------------------------------------------

  @Override
  public void partitionMoved(String path, boolean assigned) {
    String tag = path(path);
    counter("cohort.partition.moves", "Partitions taken and given up by this client", "path", tag,
        "direction", assigned ? "assigned" : "revoked").increment();
    AtomicLong owned = gauge("cohort.partition.owned", "Partitions this client owns now", "path", tag);
    if (assigned) {
      owned.incrementAndGet();
    } else {
      owned.decrementAndGet();
    }
  }

  @Override
  public void cacheRefreshed(String path, boolean succeeded) {
    counter("cohort.cache.refreshes", "Cache reads, successful or not", "path", path(path),
        "outcome", succeeded ? "success" : "failure").increment();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private String path(String path) {
    String tag = pathTags.get(path);
    if (tag != null) {
      return tag;
    }
    try {
      tag = pathTag.apply(path);
    } catch (RuntimeException e) {
      tag = null; // an event must not fail the recipe that reports it
    }
    if (tag == null) {
      tag = INVALID_PATH_TAG;
    }
    if (pathTags.size() < MAX_REMEMBERED_PATHS) {
      pathTags.put(path, tag);
    }
    return tag;
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static void stop(Object context, String key, String value, Throwable failure) {
    if (context instanceof Observation observation) {
      observation.lowCardinalityKeyValue(key, value);
      if (failure != null) {
        observation.error(failure);
      }
      observation.stop();
    }
  }

  /** A meter's identity without its description: name and tag pairs. */
  private record MeterKey(String name, String k1, String v1, String k2, String v2, String k3, String v3) {}

  private static MeterKey key(String name, String... tags) {
    return new MeterKey(name, at(tags, 0), at(tags, 1), at(tags, 2), at(tags, 3), at(tags, 4), at(tags, 5));
  }

  private static String at(String[] tags, int i) {
    return i < tags.length ? tags[i] : null;
  }

  private Counter counter(String name, String description, String... tags) {
    return (Counter) meters.computeIfAbsent(key(name, tags),
        k -> Counter.builder(name).description(description).tags(common).tags(tags).register(registry));
  }

  private Timer timer(String name, String description, String... tags) {
    return (Timer) meters.computeIfAbsent(key(name, tags),
        k -> Timer.builder(name).description(description).tags(common).tags(tags).register(registry));
  }

  /** The value behind a gauge, registered on first use; held here, as Micrometer holds gauges weakly. */
  private AtomicLong gauge(String name, String description, String... tags) {
    return gauges.computeIfAbsent(key(name, tags), k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, AtomicLong::get).description(description).tags(common).tags(tags)
          .register(registry);
      return value;
    });
  }

  /** Configures a {@link CohortMetrics}. */
  public static final class Builder {
    private final MeterRegistry registry;
    private ObservationRegistry observations;
    private Tags tags = Tags.empty();
    private UnaryOperator<String> pathTag = p -> prefix(p, DEFAULT_PATH_DEPTH);

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Also reports backend operations ({@code cohort.operation}) and lock acquisitions ({@code
     * cohort.lock.acquire}) as observations; default none.
     */
    public Builder observationRegistry(ObservationRegistry observations) {
      this.observations = Objects.requireNonNull(observations, "observations");
      return this;
    }

    /** Tags added to every meter, such as the client's name; default none. */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
      return this;
    }

    /**
     * Keeps the first {@code depth} segments of a recipe's path as its {@code path} tag; default
     * {@value CohortMetrics#DEFAULT_PATH_DEPTH}.
     *
     * @throws IllegalArgumentException if {@code depth} is not positive
     */
    public Builder pathTagDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("pathTagDepth must be positive: " + depth);
      }
      this.pathTag = p -> prefix(p, depth);
      return this;
    }

    /**
     * Maps a recipe's path (relative to the client's namespace) to its {@code path} tag, for naming
     * schemes a prefix does not fit. It must map the application's paths onto a small set of
     * values; if it returns null or throws, the tag is {@code invalid}.
     */
    public Builder pathTag(Function<String, String> mapping) {
      Objects.requireNonNull(mapping, "mapping");
      this.pathTag = mapping::apply;
      return this;
    }

    /** The binder; pass it to {@link dev.cohort.recipes.Cohort.Builder#events}. */
    public CohortMetrics build() {
      return new CohortMetrics(this);
    }
  }
}
