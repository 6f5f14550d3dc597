/**
 * Cohort's replicated backend: N replicas of the coordination service in one JVM, kept consistent
 * by a Raft-style consensus core, with a simulated network, fault injection and a deterministic
 * simulation driver.
 */
module dev.cohort.replicated {
  requires transitive dev.cohort.spi;
  requires dev.cohort.inmemory;
  requires org.slf4j;

  exports dev.cohort.replicated;
}
