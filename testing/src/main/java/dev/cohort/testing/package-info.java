/**
 * Test support for code that uses Cohort recipes: {@link dev.cohort.testing.CohortFixture} gives a
 * fresh backend (in-memory, replicated or an embedded ZooKeeper server), ready clients and fault
 * controls (expiry, disconnects, lost replies, crashed clients, virtual time, replica crashes and
 * partitions; a fault a backend cannot produce is refused with
 * {@link dev.cohort.testing.UnsupportedFaultException}); {@link dev.cohort.testing.CohortExtension}
 * and {@link dev.cohort.testing.CohortTest} bring it to JUnit 5 tests; and the history checkers
 * {@link dev.cohort.testing.OwnershipHistory}, {@link dev.cohort.testing.LeadershipHistory} and
 * {@link dev.cohort.testing.JobHistory} check the guarantees from what a test recorded.
 */
package dev.cohort.testing;
