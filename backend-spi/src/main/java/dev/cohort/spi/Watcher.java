package dev.cohort.spi;

/**
 * Receives watch events. Called on the session's event thread, one event at a time, in the order of
 * the changes that triggered them and interleaved in order with the session's operation completions;
 * never while a backend lock is held. A watcher must not block for long: it delays every later event
 * and completion of its session.
 *
 * <p>Watchers are compared by identity: the same watcher object registered on one path by both
 * {@code exists} and {@code getData} fires once for one change.
 */
@FunctionalInterface
public interface Watcher {
  void process(WatchEvent event);
}
