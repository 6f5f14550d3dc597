package dev.cohort.examples.springboot;

import dev.cohort.spring.boot.integration.CohortLockRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A service that writes a report every few seconds, on one instance only: every instance runs the
 * schedule, and the one that holds the Cohort lock {@code report-leader} (elected by Spring
 * Integration's {@link LockRegistryLeaderInitiator}) does the work. Start two instances against the
 * same ZooKeeper and stop (or pause) the leader to watch the other take over.
 */
@SpringBootApplication
@EnableScheduling
public class ReportApplication {

  /**
   * Starts the application.
   *
   * @param args Spring Boot's command-line arguments, such as {@code --cohort.backend=in-memory}
   */
  public static void main(String[] args) {
    SpringApplication.run(ReportApplication.class, args);
  }

  /** The election: the starter's lock registry, and the candidate that records each term. */
  @Bean
  LockRegistryLeaderInitiator leaderInitiator(CohortLockRegistry locks, Leadership leadership) {
    return new LockRegistryLeaderInitiator(locks, leadership);
  }
}
