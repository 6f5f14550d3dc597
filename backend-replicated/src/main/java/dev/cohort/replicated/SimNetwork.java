package dev.cohort.replicated;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The network between replicas, and between sessions and replicas, as the event loop sees it.
 * Endpoints are ints (replica ids, and one id per session). A message on a cut link vanishes; on a
 * live link it is delayed, dropped or duplicated as that link's {@link LinkConfig} says, every
 * choice drawn from the one RNG so a simulation replays exactly. Loop thread only.
 */
final class SimNetwork {
  /** Endpoint ids from here on are sessions; below are replicas. */
  static final int FIRST_SESSION_ENDPOINT = 1000;

  private final EventLoop loop;
  private final Random random;
  private LinkConfig defaults = LinkConfig.PERFECT;
  private final Map<Long, LinkConfig> links = new HashMap<>();
  private final Set<Long> cut = new HashSet<>();
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

  /** Cuts the directed link; messages already in flight still arrive. */
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
  }

  /** Sends {@code message}; {@code deliver} runs on the loop when (and each time) it arrives. */
  <M> void send(int from, int to, M message, Consumer<M> deliver) {
    sent++;
    if (cut.contains(key(from, to))) {
      return;
    }
    // session links behave like TCP: ordered and lossless unless cut
    LinkConfig cfg = from >= FIRST_SESSION_ENDPOINT || to >= FIRST_SESSION_ENDPOINT
        ? LinkConfig.PERFECT : links.getOrDefault(key(from, to), defaults);
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
