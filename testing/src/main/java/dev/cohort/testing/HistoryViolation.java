package dev.cohort.testing;

import java.util.List;

/**
 * Thrown by a history checker when a recorded run broke a guarantee. The message names every
 * violation found, with the events involved, so a failing test shows what went wrong and when.
 */
public final class HistoryViolation extends AssertionError {

  private final List<String> violations;

  HistoryViolation(String history, List<String> violations) {
    super(history + " broke its guarantee " + violations.size() + " time(s):\n  - "
        + String.join("\n  - ", violations));
    this.violations = List.copyOf(violations);
  }

  /** One line per violation. */
  public List<String> violations() {
    return violations;
  }
}
