package dev.cohort.spring.boot.autoconfigure;

import dev.cohort.recipes.Cohort;

/**
 * Adjusts the auto-configured {@link Cohort} client before it is built and started: a retry
 * policy, executors, a clock. Every bean of this type is applied, in {@code @Order}, after the
 * {@code cohort.*} properties.
 */
@FunctionalInterface
public interface CohortClientCustomizer {

  /**
   * Changes {@code builder} in place.
   *
   * @param builder the client's builder, with the properties applied
   */
  void customize(Cohort.Builder builder);
}
