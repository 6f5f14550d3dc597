/**
 * Cohort's test fixture for users: a JUnit 5 extension that hands a test a backend (in-memory,
 * replicated or an embedded ZooKeeper server) with ready clients and fault controls, and history
 * checkers for the guarantees of locks, elections and work queues.
 */
@SuppressWarnings("module") // ZooKeeper's jars are automatic modules, needed only for its fixture
module dev.cohort.testing {
  requires transitive dev.cohort.spi;
  requires transitive dev.cohort.recipes;
  requires dev.cohort.inmemory;
  requires dev.cohort.replicated;
  requires org.slf4j;
  requires static org.junit.jupiter.api;
  requires static dev.cohort.zookeeper;
  requires static zookeeper;

  exports dev.cohort.testing;
}
