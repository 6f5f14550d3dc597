package dev.cohort.spring.boot.autoconfigure;

import dev.cohort.micrometer.CohortMetrics;
import dev.cohort.recipes.Cohort;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * Records the auto-configured client's metrics (and, with an {@link ObservationRegistry}, its
 * observations) through {@code cohort-micrometer} when that module and a {@link MeterRegistry}
 * bean are present: defines a {@link CohortMetrics} and a {@link CohortClientCustomizer} that binds
 * it to the client. {@code cohort.metrics.enabled=false} turns it off. A client the application
 * defines itself is not bound: pass {@code CohortMetrics} to its builder's {@code events(...)}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"},
    before = CohortAutoConfiguration.class)
@ConditionalOnClass({CohortMetrics.class, MeterRegistry.class, Cohort.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "cohort.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CohortProperties.class)
public class CohortMetricsAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public CohortMetricsAutoConfiguration() {}

  /**
   * The binder, recording to the application's meter registry (and observation registry, if any).
   *
   * @param registry where meters go
   * @param observations where observations go, if the application has a registry for them
   * @param properties the bound {@code cohort.*} properties
   * @return the binder for one client
   */
  @Bean
  @ConditionalOnMissingBean
  public CohortMetrics cohortMetrics(MeterRegistry registry, ObjectProvider<ObservationRegistry> observations,
      CohortProperties properties) {
    CohortMetrics.Builder builder = CohortMetrics.builder(registry);
    int depth = properties.getMetrics().getPathTagDepth();
    try {
      builder.pathTagDepth(depth);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationPropertyValueException("cohort.metrics.path-tag-depth", depth, e.getMessage());
    }
    observations.ifAvailable(builder::observationRegistry);
    return builder.build();
  }

  /**
   * Binds {@code metrics} to the auto-configured client.
   *
   * @param metrics the binder
   * @return a customizer applied when the client is built
   */
  @Bean
  public CohortClientCustomizer cohortMetricsCustomizer(CohortMetrics metrics) {
    return builder -> builder.events(metrics);
  }
}
