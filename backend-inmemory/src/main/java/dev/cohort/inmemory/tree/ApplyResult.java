package dev.cohort.inmemory.tree;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The result of {@link DataTree#apply}: the outcome and the changes it made, in the order they
 * happened. A failed transaction reports no changes. The list is unmodifiable; whoever constructs
 * a result hands over a list it no longer changes.
 */
public record ApplyResult(Outcome outcome, List<Change> changes) {
  public ApplyResult {
    Objects.requireNonNull(outcome, "outcome");
    // A view, not a copy: this is on every write's path, and the tree hands over a fresh list.
    changes = Collections.unmodifiableList(changes);
  }
}
