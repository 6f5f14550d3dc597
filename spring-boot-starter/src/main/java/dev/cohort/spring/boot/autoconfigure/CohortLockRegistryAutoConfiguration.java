package dev.cohort.spring.boot.autoconfigure;

import dev.cohort.recipes.Cohort;
import dev.cohort.spring.boot.integration.CohortLockRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * Defines a {@link CohortLockRegistry} when Spring Integration is on the class path, a {@link
 * Cohort} bean (or a primary one) exists and the application defines no {@link LockRegistry} of its
 * own. Locks live under {@code cohort.lock-registry.path}; {@code cohort.lock-registry.enabled=false}
 * turns it off.
 */
@AutoConfiguration(after = CohortAutoConfiguration.class)
@ConditionalOnClass({LockRegistry.class, Cohort.class})
@ConditionalOnSingleCandidate(Cohort.class)
@ConditionalOnBooleanProperty(name = "cohort.lock-registry.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CohortProperties.class)
public class CohortLockRegistryAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public CohortLockRegistryAutoConfiguration() {}

  /**
   * The registry.
   *
   * @param client the client its locks use
   * @param properties the bound {@code cohort.*} properties
   * @return a registry of locks under {@code cohort.lock-registry.path}
   */
  @Bean
  @ConditionalOnMissingBean(LockRegistry.class)
  public CohortLockRegistry cohortLockRegistry(Cohort client, CohortProperties properties) {
    String path = properties.getLockRegistry().getPath();
    try {
      return new CohortLockRegistry(client, path);
    } catch (RuntimeException e) {
      throw new InvalidConfigurationPropertyValueException("cohort.lock-registry.path", path, e.getMessage());
    }
  }
}
