package dev.cohort.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What happened during a demo run, in seconds since it started: each completion, and each fault or
 * upgrade step. The chart and the event log are drawn from it. Thread-safe.
 */
final class Timeline {

  /** A fault or upgrade step at {@code seconds} into the run. */
  record Event(double seconds, String kind, String text) {}

  private final long startNanos = System.nanoTime();
  private final List<Double> completions = new CopyOnWriteArrayList<>();
  private final List<Event> events = new CopyOnWriteArrayList<>();

  double now() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  void completed() {
    completions.add(now());
  }

  Event event(String kind, String text) {
    Event e = new Event(now(), kind, text);
    events.add(e);
    return e;
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  /**
   * Completions per second between the first and the last completion: the rate once work flows,
   * without the start-up (cluster, clients, first election) in front of it.
   */
  double steadyRate() {
    List<Double> times = new ArrayList<>(completions);
    if (times.size() < 2) {
      return 0;
    }
    double first = times.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double last = times.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return last > first ? (times.size() - 1) / (last - first) : 0;
  }

  /** Completions per second in bins of {@code binSeconds}, from 0 to the last completion. */
  List<double[]> ratePerBin(double binSeconds) {
    List<Double> times = new ArrayList<>(completions);
    double end = times.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    int bins = Math.max(1, (int) Math.ceil(end / binSeconds));
    int[] counts = new int[bins];
    for (double t : times) {
      counts[Math.min(bins - 1, (int) (t / binSeconds))]++;
    }
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < bins; i++) {
      // The last bin ends at the last completion: divide by the time it really covers.
      double width = Math.min(binSeconds, Math.max(end - i * binSeconds, binSeconds / 10));
      out.add(new double[] {(i + 0.5) * binSeconds, counts[i] / width});
    }
    return out;
  }
}
