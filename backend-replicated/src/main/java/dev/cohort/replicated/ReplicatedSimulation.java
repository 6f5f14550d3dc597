package dev.cohort.replicated;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A {@link ReplicatedBackend} on virtual time, run by the caller's thread: nothing happens between
 * calls to {@link #runFor} / {@link #runUntil}, and every choice (election timeouts, message delays,
 * drops) comes from one seeded RNG, so the same seed and the same calls replay a run exactly.
 * Callbacks run on the same thread, in order. Not thread-safe: drive it from one thread.
 */
public final class ReplicatedSimulation implements AutoCloseable {
  /** Virtual wall clock at time zero: 2025-01-01T00:00:00Z. */
  private static final long EPOCH_MILLIS = 1_735_689_600_000L;

  private final SimLoop loop;
  private final ReplicatedBackend backend;
  private final long seed;

  private ReplicatedSimulation(ReplicatedBackend.Builder builder, long seed) {
    this.seed = seed;
    this.loop = new SimLoop();
    SimLoop l = loop;
    this.backend = new ReplicatedBackend(builder.seed(seed), loop, null, new Random(seed),
        () -> EPOCH_MILLIS + l.nowNanos() / 1_000_000L);
    backend.cluster().start();
  }

  /** A simulated cluster configured by {@code builder} (its time source and executor are ignored). */
  public static ReplicatedSimulation create(ReplicatedBackend.Builder builder, long seed) {
    return new ReplicatedSimulation(Objects.requireNonNull(builder, "builder"), seed);
  }

  /** A simulated cluster of {@code replicas} with default settings. */
  public static ReplicatedSimulation create(int replicas, long seed) {
    return create(ReplicatedBackend.builder().replicas(replicas), seed);
  }

  public ReplicatedBackend backend() {
    return backend;
  }

  public ReplicatedFaults faults() {
    return backend.faults();
  }

  public long seed() {
    return seed;
  }

  /** Virtual time elapsed since the start. */
  public Duration elapsed() {
    return Duration.ofNanos(loop.nowNanos());
  }

  /** Runs the cluster for {@code duration} of virtual time. */
  public void runFor(Duration duration) {
    loop.runFor(duration.toNanos());
  }

  /** Runs until {@code condition} holds, at most {@code limit} of virtual time; returns whether it held. */
  public boolean runUntil(BooleanSupplier condition, Duration limit) {
    return loop.runUntil(condition, limit.toNanos());
  }

  /** Tasks run so far: with the same seed and calls, two runs agree on this and everything else. */
  public long eventsRun() {
    return loop.executed();
  }

  SimLoop loop() {
    return loop;
  }

  @Override
  public void close() {
    backend.close();
  }
}
