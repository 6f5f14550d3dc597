package dev.cohort.bench.scale;

/**
 * One point of the sweep as the table prints it. {@code microsPerOp} and {@code requestsPerOp} are
 * NaN when the point was skipped, refused, stalled or failed; {@code note} then says why.
 *
 * @param microsPerOp median over the rounds of the round's time divided by its operations
 * @param requestsPerOp median over the rounds of the round's requests divided by its operations
 * @param ops operations measured in all rounds
 * @param setupSeconds time to open the backend and set the point up (fill the queue, start members)
 * @param skipReason why the backend does not afford the size, or null if it was tried
 */
public record Row(String scenario, Backend backend, int size, double microsPerOp, double requestsPerOp, long ops,
    double setupSeconds, String note, String skipReason) {

  /** A point not measured, for {@code note}. */
  static Row notMeasured(Scenario scenario, Backend backend, int size, double setupSeconds, String note) {
    return new Row(scenario.name(), backend, size, Double.NaN, Double.NaN, 0, setupSeconds, note, null);
  }

  /** A point the backend does not afford, for {@code reason} (the text after "because"). */
  static Row skipped(Scenario scenario, Backend backend, int size, String reason) {
    return new Row(scenario.name(), backend, size, Double.NaN, Double.NaN, 0, 0,
        backend.label() + ": " + Sizes.format(size) + " not affordable because " + reason, reason);
  }

  /** Whether the point has figures. */
  public boolean measured() {
    return !Double.isNaN(microsPerOp);
  }
}
