package dev.cohort.recipes.queue;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Learns, after the transaction that completes or requeues a claimed job failed, whether this
 * claim's transaction took effect: the answer must never be guessed from the job node alone, which
 * another worker may have requeued (under a new name) or completed once this claim's session ended.
 *
 * <p>The claim node decides while the claim's session lives: it is an ephemeral of that session,
 * and only this claim's own transaction deletes it, so read on that session it is either still
 * there with this claim's token (not applied) or gone (applied). Once the session has ended the
 * claim is gone either way; then a job node still there proves the transaction did not apply, and
 * a job node gone leaves the outcome unknown.
 */
final class ClaimCheck {

  /** What a failed transaction of a claim did. */
  enum Verdict {
    /** It took effect (an earlier attempt, whose reply was lost). */
    APPLIED,
    /** It did not, and never will: the claim is lost or the transaction was refused. */
    NOT_APPLIED,
    /** It did not, and the claim is still this one: it may be sent again. */
    STILL_OURS,
    /** The claim could not be read: look again once connected. */
    UNREADABLE,
    /** The claim's session ended first, and the job node is gone: it may or may not have. */
    UNKNOWN
  }

  /** Reads of the job node a blocking check makes across reconnects before it gives up. */
  private static final int MAX_READS = 5;

  private final Cohort client;
  private final AsyncOps ops;
  private final String claims;

  ClaimCheck(Cohort client, String claims) {
    this.client = client;
    this.ops = client.async();
    this.claims = claims;
  }

  /** The verdict on {@code job}'s transaction, which failed with {@code failure}. */
  Verdict afterFailure(Job job, CoordinationException failure) throws InterruptedException {
    long session = job.claimSession();
    if (client.isLiveSession(session)) {
      NodeData claim;
      try {
        claim = client.blocking().getData(Paths.join(claims, job.id()), null);
      } catch (NoNodeException gone) {
        claim = null;
      } catch (CoordinationException e) {
        if (!e.isSessionGone()) {
          if (e.isOutcomeUnknown()) {
            return Verdict.UNREADABLE;
          }
          throw e;
        }
        claim = null; // the session ended meanwhile: judged below
      }
      if (client.isLiveSession(session)) { // so the read was served on the claim's live session
        return onLiveSession(job, claim, failure);
      }
    }
    return jobStillThere(job) ? Verdict.NOT_APPLIED : Verdict.UNKNOWN;
  }

  /** Whether the job node is still there, read on the client's next usable session. */
  private boolean jobStillThere(Job job) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      client.awaitConnected(client.session().sessionTimeout());
      try {
        return client.blocking().exists(job.jobPath(), null) != null;
      } catch (CoordinationException e) {
        if (!(e.isOutcomeUnknown() || e.isSessionGone()) || attempt >= MAX_READS || client.isClosed()) {
          throw e;
        }
      }
    }
  }

  /** {@link #afterFailure}, asynchronously; a claim that cannot be read gives {@link Verdict#UNREADABLE}. */
  CompletableFuture<Verdict> afterFailureAsync(Job job, CoordinationException failure) {
    long session = job.claimSession();
    if (!client.isLiveSession(session)) {
      return afterSessionEnded(job);
    }
    return ops.getData(Paths.join(claims, job.id()), null).handle((claim, error) -> {
      Throwable cause = error == null ? null : WorkQueue.unwrap(error);
      if (cause != null && !(cause instanceof NoNodeException)) {
        if (cause instanceof CoordinationException ce && ce.isSessionGone()) {
          return afterSessionEnded(job);
        }
        if (cause instanceof CoordinationException ce && ce.isOutcomeUnknown()) {
          return CompletableFuture.completedFuture(Verdict.UNREADABLE);
        }
        return CompletableFuture.<Verdict>failedFuture(cause);
      }
      if (!client.isLiveSession(session)) {
        return afterSessionEnded(job);
      }
      return CompletableFuture.completedFuture(onLiveSession(job, claim, failure));
    }).thenCompose(f -> f);
  }

  /** A job node that cannot be read (the client may not have its next session yet) leaves it unknown. */
  private CompletableFuture<Verdict> afterSessionEnded(Job job) {
    return ops.exists(job.jobPath(), null)
        .handle((stat, error) -> error == null && stat != null ? Verdict.NOT_APPLIED : Verdict.UNKNOWN);
  }

  /** {@code claim} was read (null: missing) on the claim's session while it lived. */
  private static Verdict onLiveSession(Job job, NodeData claim, CoordinationException failure) {
    if (claim == null) {
      return Verdict.APPLIED; // only this claim's transaction deletes it while the session lives
    }
    if (Arrays.equals(claim.data(), job.claimToken())) {
      return failure.isOutcomeUnknown() ? Verdict.STILL_OURS : Verdict.NOT_APPLIED;
    }
    return Verdict.NOT_APPLIED; // someone else's claim: ours is long gone
  }

  /** The failure to report when the verdict is {@link Verdict#UNKNOWN}. */
  CoordinationException outcomeUnknown(Job job, CoordinationException failure) {
    return CoordinationException.of(ErrorCode.CONNECTION_LOSS, job.jobPath(),
        "the claim's session ended before the outcome could be learnt: the job may or may not have been "
            + "completed or requeued by this claim", -1, failure);
  }
}
