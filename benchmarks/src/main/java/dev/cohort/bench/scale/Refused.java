package dev.cohort.bench.scale;

/**
 * A recipe refused a point's work (a limit of today's API, such as the work queue's pending-job
 * cap): the sweep prints the reason in the point's row instead of a figure, and goes on.
 */
public final class Refused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A refusal with the reason shown in the table. */
  public Refused(String reason, Throwable cause) {
    super(reason, cause);
  }

  /** A refusal with the reason shown in the table. */
  public Refused(String reason) {
    super(reason);
  }
}
