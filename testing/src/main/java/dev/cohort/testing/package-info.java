/**
 * Test fixtures for code built on Cohort: a fresh backend per test ({@link
 * dev.cohort.testing.CohortFixture}), started clients on it, the faults to throw at them (expiry,
 * crash, disconnect, lost replies, replica crashes and partitions, virtual time), JUnit 5 wiring
 * ({@link dev.cohort.testing.CohortTest @CohortTest}, {@link dev.cohort.testing.CohortExtension},
 * {@link dev.cohort.testing.EveryBackendTest @EveryBackendTest}) and history checkers that tell
 * whether what a test saw was safe ({@link dev.cohort.testing.OwnershipHistory}, {@link
 * dev.cohort.testing.LeadershipHistory}, {@link dev.cohort.testing.JobHistory}).
 *
 * <p>The in-memory and replicated backends come with this artifact; the ZooKeeper fixture needs
 * {@code dev.cohort:testing-zookeeper} instead, and the etcd fixture {@code dev.cohort:backend-etcd}
 * next to this one (and etcd installed). Which fault each backend offers is in {@link
 * dev.cohort.testing.Fault}.
 */
package dev.cohort.testing;
