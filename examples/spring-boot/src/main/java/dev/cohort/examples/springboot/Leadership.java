package dev.cohort.examples.springboot;

import dev.cohort.recipes.FencingToken;
import dev.cohort.spring.boot.integration.CohortLockRegistry;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.stereotype.Component;

/**
 * This instance's candidacy for the role {@code report-leader}. While it leads, {@link
 * #currentTerm()} holds the fencing token of its term: the job hands it to whatever it writes, so
 * that a write from a leader that was paused past its session's expiry can be refused.
 */
@Component
class Leadership implements Candidate {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  static final String ROLE = "report-leader";

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final CohortLockRegistry locks;
  private final AtomicReference<FencingToken> term = new AtomicReference<>();

  Leadership(CohortLockRegistry locks) {
    this.locks = locks;
  }

  @Override
  public String getRole() {
    return ROLE;
  }

  @Override
  public String getId() {
    return id;
  }

  @Override
  public void onGranted(Context context) {
    // Runs on the thread that holds the lock: the only thread that can read the term's token.
    FencingToken token = locks.obtain(ROLE).fencingToken().orElseThrow();
    term.set(token);
    log.info("{} leads {} (fencing token {})", id, ROLE, token.value());
  }

  @Override
  public void onRevoked(Context context) {
    term.set(null);
    log.info("{} no longer leads {}", id, ROLE);
  }

  /** The token of the term this instance leads in, if it leads. */
  Optional<FencingToken> currentTerm() {
    return Optional.ofNullable(term.get());
  }
}
