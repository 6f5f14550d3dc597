package dev.cohort.testing;

import dev.cohort.recipes.leader.LeadershipTerm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Records leadership terms of one election and checks that at most one participant led at any
 * moment and that every new term's fencing token is larger than the last.
 *
 * <p>Terms are judged by their fencing token and the validity of the session that owns them, not by
 * the order in which leadership callbacks arrive. A term is live from its {@link #elected} event
 * until its {@link #deposed} event or until its session ends, whichever is recorded first. When a
 * test expires or closes a leader, the successor's {@code isLeader} can arrive before the old
 * leader's {@code notLeader}; recording the end of the old session ({@link #sessionEnded}) before
 * the fault that ends it tells the checker that the old term was over, so the late {@code notLeader}
 * is not a second leader. A callback of a session already ended ({@code isLeader} still queued when
 * the session expired, say) is late news and claims nothing.
 *
 * <p>Violations: a term elected while another participant's term is live on a valid session; a term
 * whose token is below the newest term begun on a valid session (an old term coming back); two
 * participants in one term; a participant deposed from a term it never led. A term reported again
 * by the participant that leads it (a confirmation after a reconnect) is the same term, not a new
 * one.
 *
 * <pre>{@code
 * LeadershipHistory history = new LeadershipHistory("/scheduler/leader");
 * latch.addListener(new LeaderLatchListener() {
 *   public void isLeader(LeadershipTerm t) { history.elected(t); }
 *   public void notLeader(LeadershipTerm t) { history.deposed(t); }
 * });
 * history.sessionEnded(leaderClient.sessionId());   // before the fault that ends it
 * fixture.expire(leaderClient);
 * ... crash replicas ...
 * history.check();   // two leaders at once, or a term token that did not grow, fails here
 * }</pre>
 *
 * <p>The overloads without a session id keep the older, stricter reading: such a term ends only with
 * its {@code deposed} event, so a late {@code notLeader} after an expiry shows as an overlap.
 *
 * <p>Thread-safe: events are ordered by a single internal sequence, in the order the calls were made.
 */
public final class LeadershipHistory {

  private final String election;
  private final List<Event> events = new ArrayList<>(); // guarded by this

  /** A history of the election at {@code election} (a latch path, say). */
  public LeadershipHistory(String election) {
    this.election = Objects.requireNonNull(election, "election");
  }

  /**
   * {@code participant} leads the term whose fencing token is {@code term}, on a session the
   * history does not know: the term ends only with {@link #deposed(String, long)}.
   */
  public void elected(String participant, long term) {
    record(Kind.ELECTED, participant, term, null);
  }

  /** {@code participant} stops leading term {@code term} (recorded without a session). */
  public void deposed(String participant, long term) {
    record(Kind.DEPOSED, participant, term, null);
  }

  /**
   * {@code participant} leads the term whose fencing token is {@code term}, owned by session {@code
   * sessionId}: the term ends when it is deposed or when that session ends. Record it after the
   * participant learned it leads.
   */
  public void elected(String participant, long term, long sessionId) {
    record(Kind.ELECTED, participant, term, sessionId);
  }

  /** {@code participant} stops leading term {@code term} of session {@code sessionId}. */
  public void deposed(String participant, long term, long sessionId) {
    record(Kind.DEPOSED, participant, term, sessionId);
  }

  /** The term a latch or selector reported in {@code isLeader} / {@code takeLeadership}. */
  public void elected(LeadershipTerm term) {
    elected(term.participantId(), term.fencingToken().value(), term.sessionId());
  }

  /** The term a latch or selector reported in {@code notLeader}, or that its leader gave up. */
  public void deposed(LeadershipTerm term) {
    deposed(term.participantId(), term.fencingToken().value(), term.sessionId());
  }

  /**
   * Session {@code sessionId} has ended, or is about to: every term it owns is over from here on.
   * Record it <em>before</em> expiring or closing the session (so the recorded end lies before any
   * successor's election), or when the client reports the session lost.
   */
  public void sessionEnded(long sessionId) {
    record(Kind.SESSION_ENDED, null, 0, sessionId);
  }

  private synchronized void record(Kind kind, String participant, long term, Long sessionId) {
    if (kind != Kind.SESSION_ENDED) {
      Objects.requireNonNull(participant, "participant");
    }
    events.add(new Event(events.size(), kind, participant, term, sessionId));
  }

  /** Number of distinct terms recorded (a re-confirmed term counts once). */
  public synchronized int terms() {
    return (int) events.stream().filter(e -> e.kind == Kind.ELECTED).map(Event::term).distinct().count();
  }

  /**
   * Checks the recorded run.
   *
   * @throws HistoryViolation if two participants led at once on valid sessions, a term's token did
   *     not grow, two participants claimed one term, or a participant left a term it never led
   */
  public synchronized void check() {
    List<String> violations = new ArrayList<>();
    Map<Long, Event> termOwner = new HashMap<>(); // first election of each term
    Map<Long, Event> live = new LinkedHashMap<>(); // live terms by token
    Set<Long> endedSessions = new HashSet<>();
    long newest = 0;
    for (Event e : events) {
      switch (e.kind) {
        case SESSION_ENDED -> {
          endedSessions.add(e.sessionId);
          live.values().removeIf(t -> e.sessionId.equals(t.sessionId));
        }
        case ELECTED -> {
          Event owner = termOwner.putIfAbsent(e.term, e);
          if (owner != null && !owner.participant.equals(e.participant)) {
            violations.add(String.format("#%d %s claimed term %d of %s (elected at #%d)",
                e.seq, e.participant, e.term, owner.participant, owner.seq));
            continue;
          }
          if (e.sessionId != null && endedSessions.contains(e.sessionId)) {
            continue; // a callback that arrived after its session ended: late news, not a claim
          }
          if (live.containsKey(e.term)) {
            continue; // the leader confirmed the term it already leads
          }
          if (e.term < newest) {
            violations.add(String.format("#%d %s elected in term %d, not above the newest term %d",
                e.seq, e.participant, e.term, newest));
          }
          for (Event other : live.values()) {
            violations.add(String.format("#%d %s elected in term %d while %s led term %d (since #%d%s)",
                e.seq, e.participant, e.term, other.participant, other.term, other.seq,
                other.sessionId == null ? "" : ", session 0x" + Long.toHexString(other.sessionId) + " valid"));
          }
          live.put(e.term, e);
          newest = Math.max(newest, e.term);
        }
        case DEPOSED -> {
          Event owner = termOwner.get(e.term);
          if (owner == null || !owner.participant.equals(e.participant)) {
            violations.add(String.format("#%d %s deposed from term %d without leading it",
                e.seq, e.participant, e.term));
          } else {
            live.remove(e.term);
          }
        }
        default -> throw new AssertionError(e.kind);
      }
    }
    if (!violations.isEmpty()) {
      throw new HistoryViolation("leadership of " + election, violations);
    }
  }

  private enum Kind { ELECTED, DEPOSED, SESSION_ENDED }

  /** One recorded call; {@code sessionId} is null when the caller did not name the session. */
  private record Event(int seq, Kind kind, String participant, long term, Long sessionId) {}
}
