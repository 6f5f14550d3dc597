package dev.cohort.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test once per backend, each run reported as a test of its own named after its
 * backend ({@code in-memory}, {@code replicated (3 replicas)}, {@code zookeeper}, {@code etcd}), each with a fresh
 * {@link CohortFixture} of that backend, closed after the run. Use it instead of {@code @Test}; the
 * method takes the same parameters a {@link CohortTest @CohortTest} method does ({@link
 * CohortFixture}, {@link dev.cohort.recipes.Cohort}, {@link dev.cohort.spi.CoordinationBackend}).
 *
 * <pre>{@code
 * class OrderServiceTest {
 *   @EveryBackendTest
 *   void onlyOneInstanceLeads(CohortFixture fixture, Cohort client) throws Exception {
 *     LeaderLatch a = LeaderLatch.builder(client, "/leader").build();
 *     ...
 *   }
 *
 *   @EveryBackendTest(requires = Fault.LOSE_REPLY)     // skipped, with the reason, where not offered
 *   void lockSurvivesALostReply(CohortFixture fixture, Cohort client) throws Exception { ... }
 * }
 * }</pre>
 *
 * <p>A run is skipped (reported as aborted, with the reason) when its backend lacks a fault listed
 * in {@link #requires()}, or when the backend's jars are not on the test class path (ZooKeeper's:
 * add {@code dev.cohort:testing-zookeeper}; etcd's: add {@code dev.cohort:backend-etcd}). With
 * etcd's jars present but no {@code etcd} binary installed, the etcd run fails saying how to install
 * it rather than pass unnoticed. It may sit in a class annotated
 * {@link CohortTest @CohortTest} or with a registered {@link CohortExtension}: those give no
 * fixture to this method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
@ExtendWith(EveryBackendExtension.class)
public @interface EveryBackendTest {

  /** The backends to run on, each once, in {@link BackendKind} order; every one by default. */
  BackendKind[] backends() default {BackendKind.IN_MEMORY, BackendKind.REPLICATED, BackendKind.ZOOKEEPER, BackendKind.ETCD};

  /** How many replicas the replicated run has: 1, 3, 5 or 7. */
  int replicas() default 3;

  /** Faults the test uses: a run on a backend that lacks one is skipped with the reason. */
  Fault[] requires() default {};
}
