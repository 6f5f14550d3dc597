package dev.cohort.spring.boot.autoconfigure;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * Defines a {@link CoordinationBackend} and a started {@link Cohort} client from the {@code
 * cohort.*} properties ({@link CohortProperties}). Both are closed with the application context,
 * the client first. Each backs off when the application defines a bean of its type: a user-defined
 * backend gets an auto-configured client; a user-defined client gets neither.
 */
@AutoConfiguration
@ConditionalOnClass(Cohort.class)
@EnableConfigurationProperties(CohortProperties.class)
public class CohortAutoConfiguration implements BeanClassLoaderAware {

  private static final Logger log = LoggerFactory.getLogger(CohortAutoConfiguration.class);

  /** Where the optional backend modules are looked for: the application's class loader. */
  private ClassLoader classLoader = CohortAutoConfiguration.class.getClassLoader();

  /** Creates the auto-configuration; Spring does. */
  public CohortAutoConfiguration() {}

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  /**
   * The backend {@code cohort.backend} names.
   *
   * @param properties the bound {@code cohort.*} properties
   * @return a new backend, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean({CoordinationBackend.class, Cohort.class})
  public CoordinationBackend cohortBackend(CohortProperties properties) {
    CoordinationBackend backend = Backends.create(properties, classLoader);
    log.info("Cohort backend: {}", backend.name());
    return backend;
  }

  /**
   * The client, started: creating it waits for the first session, at most {@code
   * cohort.connection-timeout}.
   *
   * @param backend the backend, auto-configured or the application's
   * @param properties the bound {@code cohort.*} properties
   * @param customizers applied in order after the properties
   * @return a started client, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Cohort cohort(CoordinationBackend backend, CohortProperties properties,
      ObjectProvider<CohortClientCustomizer> customizers) {
    Cohort.Builder builder = Cohort.builder(backend);
    apply("cohort.session-timeout", properties.getSessionTimeout(), () -> builder.sessionTimeout(properties.getSessionTimeout()));
    apply("cohort.connection-timeout", properties.getConnectionTimeout(),
        () -> builder.connectTimeout(properties.getConnectionTimeout()));
    if (Backends.hasText(properties.getNamespace())) {
      apply("cohort.namespace", properties.getNamespace(), () -> builder.namespace(properties.getNamespace()));
    }
    customizers.orderedStream().forEach(c -> c.customize(builder));
    Cohort client = builder.build();
    try {
      client.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
      throw new IllegalStateException("interrupted while the Cohort client waited for its first session", e);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** Runs a builder setter; a value it refuses becomes Spring Boot's typed configuration error. */
  private static void apply(String property, Object value, Runnable setter) {
    if (value == null) {
      throw new InvalidConfigurationPropertyValueException(property, null, "must be set");
    }
    try {
      setter.run();
    } catch (RuntimeException e) {
      throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
    }
  }
}
