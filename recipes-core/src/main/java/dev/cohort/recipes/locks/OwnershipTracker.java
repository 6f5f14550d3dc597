package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tells a recipe's {@link OwnershipListener}s what connection changes mean for the nodes it holds:
 * SUSPENDED → {@code MAY_BE_LOST}; LOST → {@code LOST}; RECONNECTED → each node is checked on the
 * service, and is {@code CONFIRMED} only if it still exists, owned by the current session, which
 * must be the one that created it; otherwise {@code LOST}.
 *
 * <p>Registers with the client on the first hold and unregisters at the first connection change
 * that finds nothing held: a steady acquire/release loop costs no listener churn, and a recipe
 * object that is dropped while holding nothing is forgotten by the client at its next transition.
 * Runs on the client's listener executor; calls listeners there too.
 */
final class OwnershipTracker implements ConnectionStateListener {
  private final Cohort client;
  /** The client's event listener or null; with the recipe's kind and path it reports under. */
  private final CohortEvents events;
  private final String kind;
  private final String path;
  private final Set<OwnedNode> held = ConcurrentHashMap.newKeySet();
  private final List<OwnershipListener> listeners = new CopyOnWriteArrayList<>();
  /** Guarded by this: whether this tracker is registered with the client. */
  private boolean registered;

  OwnershipTracker(Cohort client, CohortEvents events, String kind, String path) {
    this.client = client;
    this.events = events;
    this.kind = kind;
    this.path = path;
  }

  void addListener(OwnershipListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void removeListener(OwnershipListener listener) {
    listeners.remove(listener);
  }

  void held(OwnedNode node) {
    held.add(node);
    synchronized (this) {
      if (!registered) {
        registered = true;
        client.addConnectionStateListener(this);
      }
    }
  }

  void released(OwnedNode node) {
    held.remove(node);
  }

  @Override
  public void stateChanged(Cohort c, ConnectionState newState) {
    synchronized (this) {
      if (held.isEmpty()) {
        registered = false;
        client.removeConnectionStateListener(this);
        return;
      }
    }
    switch (newState) {
      case SUSPENDED -> held.forEach(n -> tell(OwnershipListener.Change.MAY_BE_LOST, n));
      // A LOST heard after the recipe already holds again on the client's next session is about
      // the old session: only nodes that are not on the live one went with it.
      case LOST -> held.stream().filter(n -> !client.isLiveSession(n.sessionId())).toList()
          .forEach(this::lost);
      case RECONNECTED -> held.forEach(this::verify);
      case CONNECTED -> { }
    }
  }

  private void verify(OwnedNode node) {
    if (!client.isLiveSession(node.sessionId())) {
      lost(node);
      return;
    }
    dev.cohort.recipes.internal.SequentialQueue.stillOwned(client, node).whenComplete((owned, error) -> {
      boolean ours = error == null && owned;
      if (error != null && client.isLiveSession(node.sessionId())) {
        return; // still unsure (connection dropped again): the next transition will tell
      }
      client.listenerExecutor().execute(() -> {
        if (ours) {
          tell(OwnershipListener.Change.CONFIRMED, node);
        } else {
          lost(node);
        }
      });
    });
  }

  /**
   * Tells LOST once per hold: a lost hold is forgotten here (it cannot come back), so the
   * RECONNECTED after a LOST does not tell it again. The recipe still holds it until released.
   */
  private void lost(OwnedNode node) {
    if (held.remove(node)) {
      tell(OwnershipListener.Change.LOST, node);
    }
  }

  private void tell(OwnershipListener.Change change, OwnedNode node) {
    if (events != null) {
      events.ownershipChanged(kind, path, change);
    }
    for (OwnershipListener l : listeners) {
      try {
        l.ownershipChanged(change, node.fencingToken());
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(OwnershipTracker.class).warn("ownership listener failed", e);
      }
    }
  }
}
