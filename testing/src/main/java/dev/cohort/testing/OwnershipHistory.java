package dev.cohort.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Records who held which exclusive resource (a lock, a partition, a leadership term) and checks
 * that no two owners ever overlapped and that fencing tokens grew with every new owner.
 *
 * <p>How to record so the check is sound: call {@link #acquired} <em>after</em> the acquire call
 * returned, and {@link #released} <em>before</em> calling release. The recorded interval then lies
 * inside the real ownership, so any overlap between two recorded intervals is a real double owner,
 * never an artefact of recording. An owner that learns it lost ownership (session LOST) records
 * {@link #released} when it is told.
 *
 * <pre>{@code
 * OwnershipHistory history = new OwnershipHistory("lock /orders");
 * FencingToken token = lock.acquire();
 * history.acquired("/orders", workerId, token.value());
 * ... work ...
 * history.released("/orders", workerId, token.value());
 * lock.release();
 * // after the run, from the test:
 * history.check();   // throws HistoryViolation naming any overlap or token that did not grow
 * }</pre>
 *
 * <p>Thread-safe: events are ordered by a single internal sequence, in the order the calls were made.
 */
public final class OwnershipHistory {

  private final String name;
  private final List<Event> events = new ArrayList<>(); // guarded by this

  /** A history named {@code name} in failure messages (e.g. "lock /orders"). */
  public OwnershipHistory(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /** {@code owner} now holds {@code resource} with fencing token {@code token}. */
  public synchronized void acquired(String resource, String owner, long token) {
    events.add(new Event(events.size(), resource, owner, token, true));
  }

  /** {@code owner} is about to give up (or has been told it lost) {@code resource}. */
  public synchronized void released(String resource, String owner, long token) {
    events.add(new Event(events.size(), resource, owner, token, false));
  }

  /** Number of acquisitions recorded. */
  public synchronized int acquisitions() {
    return (int) events.stream().filter(Event::acquire).count();
  }

  /**
   * Checks the recorded run.
   *
   * @throws HistoryViolation listing every overlap of owners, every token that did not grow, and
   *     every release by someone who did not hold the resource
   */
  public synchronized void check() {
    List<String> violations = new ArrayList<>();
    Map<String, Event> holder = new HashMap<>();
    Map<String, Long> lastToken = new HashMap<>();
    for (Event e : events) {
      Event current = holder.get(e.resource);
      if (e.acquire) {
        if (current != null) {
          violations.add(String.format("#%d %s acquired %s (token %d) while %s held it since #%d (token %d)",
              e.seq, e.owner, e.resource, e.token, current.owner, current.seq, current.token));
        }
        Long previous = lastToken.get(e.resource);
        if (previous != null && e.token <= previous) {
          violations.add(String.format("#%d %s acquired %s with token %d, not above the previous %d",
              e.seq, e.owner, e.resource, e.token, previous));
        }
        holder.put(e.resource, e);
        lastToken.put(e.resource, e.token);
      } else if (current != null && current.owner.equals(e.owner) && current.token == e.token) {
        holder.remove(e.resource);
      } else {
        violations.add(String.format("#%d %s released %s (token %d) without holding it",
            e.seq, e.owner, e.resource, e.token));
      }
    }
    if (!violations.isEmpty()) {
      throw new HistoryViolation(name, violations);
    }
  }

  private record Event(int seq, String resource, String owner, long token, boolean acquire) {}
}
