package dev.cohort.bench.scale;

/**
 * One point of the sweep as the table prints it. {@code microsPerOp} and {@code requestsPerOp} are
 * NaN when the point was skipped, refused, stalled or failed; {@code note} then says why.
 *
 * @param microsPerOp median over the rounds of the round's time divided by its operations
 * @param requestsPerOp median over the rounds of the round's requests divided by its operations
 * @param ops operations measured in all rounds
 * @param setupSeconds time to open the backend and set the point up (fill the queue, start members)
 */
public record Row(String scenario, Backend backend, int size, double microsPerOp, double requestsPerOp, long ops,
    double setupSeconds, String note) {

  /** A point not measured, for {@code note}. */
  static Row notMeasured(Scenario scenario, Backend backend, int size, double setupSeconds, String note) {
    return new Row(scenario.name(), backend, size, Double.NaN, Double.NaN, 0, setupSeconds, note);
  }

  /** Whether the point has figures. */
  public boolean measured() {
    return !Double.isNaN(microsPerOp);
  }
}
