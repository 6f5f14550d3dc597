/**
 * The in-memory Cohort backend: one ZooKeeper-style tree in this JVM, with sessions, watches,
 * virtual time and fault controls. Exports the backend API; the deterministic tree state machine is
 * shared only with the replicated backend, which applies the same transactions on every replica.
 */
@SuppressWarnings("module") // dev.cohort.replicated may be absent from a partial build
module dev.cohort.inmemory {
  requires transitive dev.cohort.spi;
  requires org.slf4j;

  exports dev.cohort.inmemory;
  exports dev.cohort.inmemory.tree to dev.cohort.replicated;
}
