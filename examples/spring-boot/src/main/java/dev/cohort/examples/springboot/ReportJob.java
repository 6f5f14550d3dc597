package dev.cohort.examples.springboot;

import dev.cohort.recipes.FencingToken;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** The leader-only job: runs on every instance's schedule, works only on the leader. */
@Component
class ReportJob {
  private static final Logger log = LoggerFactory.getLogger(ReportJob.class);

  private final Leadership leadership;
  private final AtomicLong reports = new AtomicLong();

  ReportJob(Leadership leadership) {
    this.leadership = leadership;
  }

  @Scheduled(fixedDelayString = "${report.interval:5s}")
  void writeReport() {
    Optional<FencingToken> term = leadership.currentTerm();
    if (term.isEmpty()) {
      return; // another instance leads
    }
    long n = reports.incrementAndGet();
    // A real job passes term.get() to the store it writes, which refuses tokens older than the
    // newest it has seen (Cohort's FencedResource shows the rule).
    log.info("report #{} written under fencing token {}", n, term.get().value());
  }

  /** How many reports this instance wrote. */
  long reportsWritten() {
    return reports.get();
  }
}
