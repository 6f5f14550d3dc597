package dev.cohort.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spring.boot.SharedBackend;
import dev.cohort.spring.boot.health.CohortHealthIndicator;
import dev.cohort.spring.boot.integration.CohortLockRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.integration.support.locks.DefaultLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;

class CohortAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CohortAutoConfiguration.class,
          CohortHealthAutoConfiguration.class, CohortLockRegistryAutoConfiguration.class));

  private final InMemoryBackend shared = InMemoryBackend.create();

  @AfterEach
  void closeShared() {
    shared.close();
  }

  @Test
  void inMemoryBackendGivesAStartedClientHealthAndLockRegistry() {
    runner.withPropertyValues("cohort.backend=in-memory").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CoordinationBackend.class)).isInstanceOf(InMemoryBackend.class);
      Cohort client = context.getBean(Cohort.class);
      assertThat(client.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(context).hasSingleBean(CohortLockRegistry.class);
      assertThat(context).hasSingleBean(CohortHealthIndicator.class);
      assertThat(context.getBean(CohortLockRegistry.class).prefix()).isEqualTo("/locks");
    });
  }

  @Test
  void propertiesBindToTheClientAndTheRegistry() {
    runner.withPropertyValues("cohort.backend=in-memory", "cohort.session-timeout=7s", "cohort.namespace=/orders",
        "cohort.connection-timeout=3s", "cohort.lock-registry.path=/jobs/locks").run(context -> {
          Cohort client = context.getBean(Cohort.class);
          assertThat(client.namespace()).isEqualTo("/orders");
          assertThat(client.session().sessionTimeout()).isEqualTo(Duration.ofSeconds(7));
          assertThat(context.getBean(CohortLockRegistry.class).prefix()).isEqualTo("/jobs/locks");
          CohortProperties properties = context.getBean(CohortProperties.class);
          assertThat(properties.getBackend()).isEqualTo(CohortProperties.BackendType.IN_MEMORY);
          assertThat(properties.getConnectionTimeout()).isEqualTo(Duration.ofSeconds(3));
        });
  }

  @Test
  void replicatedBackendRunsTheConfiguredReplicas() {
    runner.withPropertyValues("cohort.backend=replicated", "cohort.replicated.replicas=1").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CoordinationBackend.class)).isInstanceOfSatisfying(ReplicatedBackend.class,
          r -> assertThat(r.replicas()).isEqualTo(1));
      assertThat(context.getBean(Cohort.class).connectionState()).isEqualTo(ConnectionState.CONNECTED);
    });
  }

  @Test
  void clientAndBackendCloseWithTheContext() {
    Cohort[] client = new Cohort[1];
    CoordinationBackend[] backend = new CoordinationBackend[1];
    runner.withPropertyValues("cohort.backend=in-memory").run(context -> {
      client[0] = context.getBean(Cohort.class);
      backend[0] = context.getBean(CoordinationBackend.class);
      assertThat(client[0].isClosed()).isFalse();
    });
    assertThat(client[0].isClosed()).isTrue();
    assertThat(backend[0].openSession(SessionConfig.defaults()))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(SessionClosedException.class);
  }

  @Test
  void aBackendBeanOfTheApplicationGetsTheAutoConfiguredClient() {
    runner.withPropertyValues("cohort.namespace=/mine")
        .withBean(CoordinationBackend.class, () -> new SharedBackend(shared))
        .run(context -> {
          assertThat(context).hasSingleBean(CoordinationBackend.class);
          assertThat(context.getBean(CoordinationBackend.class)).isInstanceOf(SharedBackend.class);
          Cohort client = context.getBean(Cohort.class);
          assertThat(client.namespace()).isEqualTo("/mine");
          client.blocking().createWithParents("/probe", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
          // the node is on the application's backend
          Cohort other = Cohort.builder(shared).build();
          other.start();
          try {
            assertThat(other.blocking().exists("/mine/probe", null)).isNotNull();
          } finally {
            other.close();
          }
        });
  }

  @Test
  void aClientBeanOfTheApplicationTurnsOffBothBackendAndClient() {
    runner.withPropertyValues("cohort.backend=replicated")
        .withBean(Cohort.class, () -> {
          Cohort c = Cohort.builder(new SharedBackend(shared)).build();
          try {
            c.start();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return c;
        })
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(CoordinationBackend.class);
          assertThat(context).hasSingleBean(Cohort.class);
          assertThat(context).hasSingleBean(CohortLockRegistry.class);
        });
  }

  @Test
  void aLockRegistryOfTheApplicationTurnsOffCohorts() {
    runner.withPropertyValues("cohort.backend=in-memory")
        .withBean(LockRegistry.class, DefaultLockRegistry::new)
        .run(context -> {
          assertThat(context).hasSingleBean(LockRegistry.class);
          assertThat(context).doesNotHaveBean(CohortLockRegistry.class);
        });
  }

  @Test
  void lockRegistryCanBeTurnedOff() {
    runner.withPropertyValues("cohort.backend=in-memory", "cohort.lock-registry.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(CohortLockRegistry.class).hasSingleBean(Cohort.class));
  }

  @Test
  void withoutSpringIntegrationThereIsNoLockRegistry() {
    runner.withPropertyValues("cohort.backend=in-memory")
        .withClassLoader(new FilteredClassLoader("org.springframework.integration"))
        .run(context -> assertThat(context).doesNotHaveBean(CohortLockRegistry.class).hasSingleBean(Cohort.class));
  }

  @Test
  void withoutTheHealthModuleThereIsNoHealthIndicator() {
    runner.withPropertyValues("cohort.backend=in-memory")
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .run(context -> assertThat(context).doesNotHaveBean(CohortHealthIndicator.class).hasSingleBean(Cohort.class));
  }

  @Test
  void healthIndicatorCanBeTurnedOff() {
    runner.withPropertyValues("cohort.backend=in-memory", "management.health.cohort.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(CohortHealthIndicator.class));
  }

  @Test
  void noBackendConfiguredFailsNamingTheProperty() {
    runner.run(context -> assertThat(context).hasFailed().getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("cohort.backend"));
  }

  @Test
  void aConnectStringAloneMeansZooKeeper() {
    CohortProperties properties = new CohortProperties();
    properties.getZookeeper().setConnectString("127.0.0.1:2181");
    assertThat(Backends.type(properties)).isEqualTo(CohortProperties.BackendType.ZOOKEEPER);
  }

  @Test
  void zooKeeperWithoutConnectStringFailsNamingTheProperty() {
    runner.withPropertyValues("cohort.backend=zookeeper").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("cohort.zookeeper.connect-string"));
  }

  @Test
  void malformedDigestAuthFailsWithoutEchoingTheSecret() {
    runner.withPropertyValues("cohort.backend=zookeeper", "cohort.zookeeper.connect-string=127.0.0.1:1",
        "cohort.zookeeper.auth=s3cret-without-user").run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("cohort.zookeeper.auth")
            .hasMessageNotContaining("s3cret"));
  }

  @Test
  void creatorAclWithoutAuthFails() {
    runner.withPropertyValues("cohort.backend=zookeeper", "cohort.zookeeper.connect-string=127.0.0.1:1",
        "cohort.zookeeper.default-acl=creator-all").run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause().hasMessageContaining("cohort.zookeeper.default-acl"));
  }

  @Test
  void anEvenReplicaCountFailsNamingTheProperty() {
    runner.withPropertyValues("cohort.backend=replicated", "cohort.replicated.replicas=2").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("cohort.replicated.replicas"));
  }

  @Test
  void anInvalidNamespaceFailsNamingTheProperty() {
    runner.withPropertyValues("cohort.backend=in-memory", "cohort.namespace=no-slash").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("cohort.namespace"));
  }

  @Test
  void aZeroSessionTimeoutFailsNamingTheProperty() {
    runner.withPropertyValues("cohort.backend=in-memory", "cohort.session-timeout=0s").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("cohort.session-timeout"));
  }

  @Test
  void aMissingBackendModuleIsNamed() {
    runner.withPropertyValues("cohort.backend=replicated")
        .withClassLoader(new FilteredClassLoader("dev.cohort.replicated"))
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("dev.cohort:backend-replicated"));
  }

  @Test
  void customizersRunAfterTheProperties() {
    runner.withPropertyValues("cohort.backend=in-memory", "cohort.namespace=/from-properties")
        .withBean(CohortClientCustomizer.class, () -> b -> b.namespace("/from-customizer"))
        .run(context -> assertThat(context.getBean(Cohort.class).namespace()).isEqualTo("/from-customizer"));
  }


  @Test
  void twoClientBeansOfTheApplicationGetNoHealthOrLockRegistryAndNoFailure() {
    java.util.function.Supplier<Cohort> started = () -> {
      Cohort c = Cohort.builder(new SharedBackend(shared)).build();
      try {
        c.start();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return c;
    };
    runner.withBean("first", Cohort.class, started).withBean("second", Cohort.class, started)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(CohortLockRegistry.class).doesNotHaveBean(CohortHealthIndicator.class);
        });
  }
}
