package dev.cohort.spring.boot.autoconfigure;

import dev.cohort.recipes.Cohort;
import dev.cohort.spring.boot.health.CohortHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Adds the {@code cohort} health indicator ({@link CohortHealthIndicator}) when Spring Boot's
 * health module is present (it comes with the actuator) and there is one {@link Cohort} bean (or a
 * primary one). Turn it off with {@code management.health.cohort.enabled=false}.
 */
@AutoConfiguration(after = CohortAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, Cohort.class})
@ConditionalOnSingleCandidate(Cohort.class)
public class CohortHealthAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public CohortHealthAutoConfiguration() {}

  /**
   * The indicator, named {@code cohort} in the health endpoint.
   *
   * @param client the client to report on
   * @return the indicator
   */
  @Bean
  // On the method, not the class: the condition's class comes with spring-boot-health, and is
  // looked at only once the class-level @ConditionalOnClass has found that module.
  @ConditionalOnEnabledHealthIndicator("cohort")
  @ConditionalOnMissingBean(name = "cohortHealthIndicator")
  public CohortHealthIndicator cohortHealthIndicator(Cohort client) {
    return new CohortHealthIndicator(client);
  }
}
