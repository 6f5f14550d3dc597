package dev.cohort.replicated;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The network between replicas, and between sessions and replicas, as the event loop sees it.
 * Endpoints are ints (replica ids, and one id per session). A message on a cut link vanishes; on a
 * live link between replicas it is delayed, dropped or duplicated as that link's {@link LinkConfig}
 * says, every choice drawn from the one RNG so a simulation replays exactly.
 *
 * <p>A link between a session and a replica models a TCP connection: it never drops, duplicates or
 * reorders, but it may be slow. Its delay is fixed per directed link (no randomness, so setting one
 * leaves a simulation's RNG stream alone), and messages on it arrive strictly in the order sent even
 * when the delay changes while some are in flight: each arrival delivers the oldest message still
 * queued on the link rather than "its own", so a shortened delay can speed earlier messages up but
 * never let a later one overtake them. That order is what keeps a session's replies FIFO and a
 * watch event ahead of the reply that reveals the change. Loop thread only.
 */
final class SimNetwork {
  /** Endpoint ids from here on are sessions; below are replicas. */
  static final int FIRST_SESSION_ENDPOINT = 1000;

  private final EventLoop loop;
  private final Random random;
  private LinkConfig defaults = LinkConfig.PERFECT;
  private final Map<Long, LinkConfig> links = new HashMap<>();
  private final Set<Long> cut = new HashSet<>();
  /** Delay per directed session link, absent when zero. */
  private final Map<Long, Long> sessionDelays = new HashMap<>();
  /** Messages on a directed session link still in the air, oldest first; absent when none. */
  private final Map<Long, ArrayDeque<Runnable>> sessionInFlight = new HashMap<>();
  private long sent;
  private long delivered;

  SimNetwork(EventLoop loop, Random random) {
    this.loop = loop;
    this.random = random;
  }

  private static long key(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }

  void setDefaults(LinkConfig config) {
    defaults = config;
    links.clear();
  }

  void setLink(int from, int to, LinkConfig config) {
    links.put(key(from, to), config);
  }

  /**
   * Sets the delay of both directions of the link between a session's endpoint and a replica; zero
   * makes it prompt again. Messages already in flight keep their arrival time (but never pass the
   * ones sent before them).
   */
  void setSessionLinkDelay(int endpoint, int replica, long delayNanos) {
    for (long k : new long[] {key(endpoint, replica), key(replica, endpoint)}) {
      if (delayNanos == 0) {
        sessionDelays.remove(k);
      } else {
        sessionDelays.put(k, delayNanos);
      }
    }
  }

  /** The delay from a session's endpoint to a replica (both directions are set together). */
  long sessionLinkDelay(int endpoint, int replica) {
    return sessionDelays.getOrDefault(key(endpoint, replica), 0L);
  }

  /** Removes every session link delay (messages in flight still arrive, in order). */
  void clearSessionLinkDelays() {
    sessionDelays.clear();
  }

  /** Cuts the directed link; messages in flight on it are lost too (see {@link #arrive}). */
  void cut(int from, int to) {
    cut.add(key(from, to));
  }

  void cutBoth(int a, int b) {
    cut(a, b);
    cut(b, a);
  }

  void restore(int from, int to) {
    cut.remove(key(from, to));
  }

  void restoreBoth(int a, int b) {
    restore(a, b);
    restore(b, a);
  }

  boolean isCut(int from, int to) {
    return cut.contains(key(from, to));
  }

  /** Restores every link and removes every per-link fault setting. */
  void healAll() {
    cut.clear();
    links.clear();
    defaults = LinkConfig.PERFECT;
    sessionDelays.clear();
  }

  /** Sends {@code message}; {@code deliver} runs on the loop when (and each time) it arrives. */
  <M> void send(int from, int to, M message, Consumer<M> deliver) {
    sent++;
    if (cut.contains(key(from, to))) {
      return;
    }
    if (from >= FIRST_SESSION_ENDPOINT || to >= FIRST_SESSION_ENDPOINT) {
      sendInOrder(from, to, message, deliver);
      return;
    }
    LinkConfig cfg = links.getOrDefault(key(from, to), defaults);
    if (cfg == LinkConfig.PERFECT) {
      loop.execute(() -> arrive(from, to, message, deliver));
      return;
    }
    if (cfg.dropRate() > 0 && random.nextDouble() < cfg.dropRate()) {
      return;
    }
    int copies = cfg.duplicateRate() > 0 && random.nextDouble() < cfg.duplicateRate() ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long min = cfg.minDelay().toNanos();
      long span = cfg.maxDelay().toNanos() - min;
      long delay = min + (span == 0 ? 0 : (long) (random.nextDouble() * span));
      loop.schedule(delay, () -> arrive(from, to, message, deliver));
    }
  }

  /** A session link: like TCP, lossless and ordered, possibly slow. */
  private <M> void sendInOrder(int from, int to, M message, Consumer<M> deliver) {
    long k = key(from, to);
    long delay = sessionDelays.getOrDefault(k, 0L);
    ArrayDeque<Runnable> queue = sessionInFlight.get(k);
    if (delay == 0 && queue == null) {
      // the common case, kept exactly as before delays existed so seeded runs replay unchanged
      loop.execute(() -> arrive(from, to, message, deliver));
      return;
    }
    if (queue == null) {
      queue = new ArrayDeque<>();
      sessionInFlight.put(k, queue);
    }
    queue.add(() -> arrive(from, to, message, deliver));
    ArrayDeque<Runnable> q = queue;
    loop.schedule(delay, () -> {
      // one timer per queued message, so the queue holds a message whenever a timer fires
      Runnable oldest = q.poll();
      if (q.isEmpty()) {
        sessionInFlight.remove(k);
      }
      oldest.run();
    });
  }

  private <M> void arrive(int from, int to, M message, Consumer<M> deliver) {
    // a partition made while the message was in flight also stops it
    if (!cut.contains(key(from, to))) {
      delivered++;
      deliver.accept(message);
    }
  }

  long sent() {
    return sent;
  }

  long delivered() {
    return delivered;
  }
}
