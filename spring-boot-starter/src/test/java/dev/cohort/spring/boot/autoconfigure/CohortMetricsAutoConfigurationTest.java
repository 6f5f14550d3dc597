package dev.cohort.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.micrometer.CohortMetrics;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spring.boot.SharedBackend;
import dev.cohort.spring.boot.integration.CohortLock;
import dev.cohort.spring.boot.integration.CohortLockRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CohortMetricsAutoConfigurationTest {

  private final InMemoryBackend backend = InMemoryBackend.create();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CohortAutoConfiguration.class, CohortMetricsAutoConfiguration.class,
          CohortLockRegistryAutoConfiguration.class))
      .withBean(CoordinationBackend.class, () -> new SharedBackend(backend));

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void withSpringBootsMeterRegistryTheClientIsBoundAndMetered() {
    // Boot's own metrics auto-configuration defines the registry: the ordering must let us see it
    runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
        .run(context -> {
          assertThat(context).hasSingleBean(CohortMetrics.class);
          Cohort client = context.getBean(Cohort.class);
          assertThat(client.events()).containsSame(context.getBean(CohortMetrics.class));
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
              registry.get("cohort.session.state").tag("state", "connected").gauge().value()).isEqualTo(1.0));

          CohortLock lock = context.getBean(CohortLockRegistry.class).obtain("metered");
          lock.lock();
          lock.unlock();
          // the lock registry's locks report through the bound binder
          assertThat(registry.get("cohort.lock.acquisitions").tag("contention", "uncontended").counter().count())
              .isEqualTo(1.0);
        });
  }

  @Test
  void aMeterRegistryBeanOfTheApplicationIsUsed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner.withBean(MeterRegistry.class, () -> registry).run(context -> {
      assertThat(context).hasSingleBean(CohortMetrics.class);
      assertThat(registry.find("cohort.session.state").gauges()).isNotEmpty();
    });
  }

  @Test
  void noMeterRegistryNoMetrics() {
    runner.run(context -> {
      assertThat(context).doesNotHaveBean(CohortMetrics.class);
      assertThat(context.getBean(Cohort.class).events()).isEmpty();
    });
  }

  @Test
  void withoutCohortMicrometerNoMetrics() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withClassLoader(new FilteredClassLoader("dev.cohort.micrometer"))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(CohortMetrics.class);
          assertThat(context.getBean(Cohort.class).events()).isEmpty();
        });
  }

  @Test
  void metricsCanBeTurnedOff() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("cohort.metrics.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(CohortMetrics.class));
  }

  @Test
  void aBadPathTagDepthFailsNamingTheProperty() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("cohort.metrics.path-tag-depth=0")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("cohort.metrics.path-tag-depth"));
  }
}
