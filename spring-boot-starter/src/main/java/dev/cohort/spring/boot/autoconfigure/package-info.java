/**
 * Auto-configuration: {@link dev.cohort.spring.boot.autoconfigure.CohortAutoConfiguration} (backend
 * and client from {@link dev.cohort.spring.boot.autoconfigure.CohortProperties}), the health
 * indicator's and the lock registry's. Each backs off when the application defines its own bean.
 */
package dev.cohort.spring.boot.autoconfigure;
