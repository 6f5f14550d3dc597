package dev.cohort.testing;

/**
 * Thrown when a test asks a {@link CohortFixture} for a fault its backend cannot produce (a virtual
 * clock on a real ZooKeeper server, say). Nothing was changed. Check {@link
 * CohortFixture#supports(Fault)} first, or pick the backend that offers the fault.
 */
public final class UnsupportedFaultException extends UnsupportedOperationException {

  private final Fault fault;
  private final BackendKind backend;

  UnsupportedFaultException(Fault fault, BackendKind backend) {
    super("the " + backend + " fixture cannot produce " + fault + " (it offers "
        + Engines.faultsOf(backend) + ")");
    this.fault = fault;
    this.backend = backend;
  }

  /** The fault that was asked for. */
  public Fault fault() {
    return fault;
  }

  /** The backend that lacks it. */
  public BackendKind backend() {
    return backend;
  }
}
