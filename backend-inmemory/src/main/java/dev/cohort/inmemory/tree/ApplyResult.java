package dev.cohort.inmemory.tree;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link DataTree#apply}: the outcome and the changes it made, in the order they
 * happened. A failed transaction reports no changes.
 */
public record ApplyResult(Outcome outcome, List<Change> changes) {
  public ApplyResult {
    Objects.requireNonNull(outcome, "outcome");
    changes = List.copyOf(changes);
  }
}
