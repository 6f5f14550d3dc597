package dev.cohort.zookeeper;

import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import org.apache.zookeeper.WatchedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presents an SPI {@link Watcher} to the ZooKeeper client.
 *
 * <p>Equality is the identity of the wrapped SPI watcher. ZooKeeper keeps a set of watcher objects
 * per path, so two adapters made for the same SPI watcher (one by {@code exists}, one by {@code
 * getData}) collapse into one registration and fire once, as the SPI promises, and {@code
 * removeWatches} finds the registration again without a lookup table that would grow with every
 * one-shot watch.
 *
 * <p>ZooKeeper also hands every registered watcher the session's state changes and, on removal, a
 * watch-removed notice; neither is a node event, so both are dropped here (state changes reach the
 * session's {@link dev.cohort.spi.SessionStateListener}s instead).
 */
final class WatcherAdapter implements org.apache.zookeeper.Watcher {

  private static final Logger LOG = LoggerFactory.getLogger(WatcherAdapter.class);

  private final Watcher watcher;

  WatcherAdapter(Watcher watcher) {
    this.watcher = watcher;
  }

  @Override
  public void process(WatchedEvent event) {
    WatchEvent.Type type = ZkConversions.toEventType(event.getType());
    if (type == null || event.getPath() == null) {
      return;
    }
    try {
      watcher.process(new WatchEvent(type, event.getPath()));
    } catch (RuntimeException e) {
      // A failing watcher must not take the session's event thread (and every later event) down.
      LOG.warn("watcher {} failed on {} {}", watcher, type, event.getPath(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WatcherAdapter other && other.watcher == watcher;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(watcher);
  }
}
