package dev.cohort.tck;

import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Watcher} that remembers every event it receives, in arrival order, for assertions. Safe
 * to read from the test thread while the backend delivers events on its own thread.
 */
public final class RecordingWatcher implements Watcher {

  private final List<WatchEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void process(WatchEvent event) {
    events.add(event);
  }

  /** A snapshot of the events received so far, oldest first. */
  public List<WatchEvent> events() {
    return List.copyOf(events);
  }

  /** How many events have arrived. */
  public int count() {
    return events.size();
  }

  @Override
  public String toString() {
    return "RecordingWatcher" + events;
  }
}
