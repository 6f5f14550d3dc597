package dev.cohort.tck;

import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.SessionStateListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link SessionStateListener} that remembers every transition it is told of, in order. */
public final class RecordingStateListener implements SessionStateListener {

  private final List<SessionState> states = new CopyOnWriteArrayList<>();

  @Override
  public void stateChanged(Session session, SessionState newState) {
    states.add(newState);
  }

  /** The states reported so far, oldest first. */
  public List<SessionState> states() {
    return List.copyOf(states);
  }

  @Override
  public String toString() {
    return "RecordingStateListener" + states;
  }
}
