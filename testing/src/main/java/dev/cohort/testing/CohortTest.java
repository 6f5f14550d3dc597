package dev.cohort.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test of the annotated class (or the annotated test method) a fresh {@link
 * CohortFixture}, closed after the test. Test methods may declare parameters of
 * type {@link CohortFixture}, {@link dev.cohort.recipes.Cohort} (a started client, the same one
 * for every such parameter of one test) and {@link dev.cohort.spi.CoordinationBackend}.
 *
 * <pre>{@code
 * @CohortTest
 * class OrderServiceTest {
 *   @Test
 *   void onlyOneInstanceLeads(CohortFixture fixture, Cohort client) throws Exception {
 *     LeaderLatch a = LeaderLatch.builder(client, "/leader").build();
 *     ...
 *   }
 *
 *   @Test
 *   @CohortTest(backend = BackendKind.REPLICATED, replicas = 3)   // overrides the class
 *   void survivesLeaderCrash(CohortFixture fixture) { ... }
 * }
 * }</pre>
 *
 * <p>A method's annotation takes precedence over its class's, and a class's over an enclosing
 * class's.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(CohortExtension.class)
public @interface CohortTest {

  /** The backend; in-memory (virtual time, every session fault) by default. */
  BackendKind backend() default BackendKind.IN_MEMORY;

  /** How many replicas, for {@link BackendKind#REPLICATED}: 1, 3, 5 or 7. */
  int replicas() default 3;
}
