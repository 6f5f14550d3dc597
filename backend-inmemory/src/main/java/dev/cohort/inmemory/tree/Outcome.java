package dev.cohort.inmemory.tree;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Stat;
import java.util.List;
import java.util.Objects;

/**
 * What applying one transaction produced. A failure is a value, not an exception: every applier of
 * the same transaction sequence gets equal outcomes, and a failed transaction changed nothing.
 */
public sealed interface Outcome {

  /**
   * The SPI result of one op of a successful write multi: the one translation every backend on
   * this tree uses.
   *
   * @throws IllegalArgumentException for an outcome a multi op cannot have
   */
  static dev.cohort.spi.OpResult toOpResult(Outcome outcome) {
    if (outcome instanceof Created c) {
      return new dev.cohort.spi.OpResult.CreateResult(c.path());
    } else if (outcome instanceof Deleted) {
      return new dev.cohort.spi.OpResult.DeleteResult();
    } else if (outcome instanceof DataSet d) {
      return new dev.cohort.spi.OpResult.SetDataResult(d.stat());
    } else if (outcome instanceof Checked) {
      return new dev.cohort.spi.OpResult.CheckResult();
    }
    throw new IllegalArgumentException("not the outcome of a multi op: " + outcome);
  }

  /** Whether the transaction succeeded. */
  default boolean isSuccess() {
    return !(this instanceof Failed);
  }

  /** A node was created at {@code path} (with its sequence suffix, if any). */
  record Created(String path, Stat stat) implements Outcome {}

  /** A node was deleted. */
  record Deleted() implements Outcome {}

  /** A node's data was replaced; {@code stat} is its stat afterwards. */
  record DataSet(Stat stat) implements Outcome {}

  /** A {@link TxnOp.Check} held. */
  record Checked() implements Outcome {}

  /** Every op of a multi succeeded; one outcome per op, in op order. */
  record MultiDone(List<Outcome> results) implements Outcome {
    public MultiDone {
      results = List.copyOf(results);
    }
  }

  /** A session was registered. */
  record SessionCreated() implements Outcome {}

  /** A session ended; {@code deletedPaths} are its ephemerals, in the order they were deleted. */
  record SessionClosed(List<String> deletedPaths) implements Outcome {
    public SessionClosed {
      deletedPaths = List.copyOf(deletedPaths);
    }
  }

  /** A sweep deleted {@code deletedPaths}, in that order. */
  record Swept(List<String> deletedPaths) implements Outcome {
    public Swept {
      deletedPaths = List.copyOf(deletedPaths);
    }
  }

  /**
   * The transaction failed and changed nothing.
   *
   * @param code why
   * @param path the path concerned, or null
   * @param opIndex for a multi, the index of the op that failed; else -1
   * @param detail an explanation, or null
   */
  record Failed(ErrorCode code, String path, int opIndex, String detail) implements Outcome {
    public Failed {
      Objects.requireNonNull(code, "code");
    }

    /** The SPI exception that reports this failure to a client. */
    public CoordinationException toException() {
      return CoordinationException.of(code, path, detail, opIndex, null);
    }

    Failed atOp(int index) {
      return new Failed(code, path, index, detail);
    }
  }
}
