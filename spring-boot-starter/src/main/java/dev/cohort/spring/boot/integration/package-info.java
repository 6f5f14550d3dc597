/**
 * Spring Integration on Cohort: {@link dev.cohort.spring.boot.integration.CohortLockRegistry}, a
 * {@code LockRegistry} whose {@link dev.cohort.spring.boot.integration.CohortLock}s are Cohort
 * distributed locks with fencing tokens, for {@code LockRegistryLeaderInitiator} and locked jobs.
 */
package dev.cohort.spring.boot.integration;
