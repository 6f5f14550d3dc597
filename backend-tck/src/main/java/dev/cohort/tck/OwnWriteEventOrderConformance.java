package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Watch before data for a session's own writes (checklist line 24; the SPI's Session "Ordering"
 * paragraph): when a session's write fires a watch the same session set, the watch event is
 * delivered before the write's completion, because the completion's result (a new stat, a created
 * path) shows the change. ZooKeeper keeps this: the server sends the notification before the reply
 * on the same connection, and the client's event thread handles them in that order.
 *
 * <p>Each write is issued from inside a callback, so it completes later on the session's event
 * thread and the order is observable even on a backend that delivers synchronously when called
 * from outside. Every backend should run this suite; see the TCK report for the state of the
 * in-memory backend.
 */
public abstract class OwnWriteEventOrderConformance extends ConformanceSuite {

  /** Issues {@code write} from a watcher of {@code s} and returns the events {@code onTarget} had when it completed. */
  private CompletableFuture<Integer> eventsWhenWriteFromCallbackCompletes(
      Session s, RecordingWatcher onTarget, java.util.function.Supplier<CompletableFuture<?>> write) {
    Session writer = open();
    create(writer, "/trigger", "");
    get(s.sync("/trigger"));
    CompletableFuture<Integer> eventsAtCompletion = new CompletableFuture<>();
    get(s.getData("/trigger", event ->
        write.get().whenComplete((result, e) -> eventsAtCompletion.complete(onTarget.count()))));
    get(writer.setData("/trigger", bytes("go"), -1));
    return eventsAtCompletion;
  }

  @Test
  public void ownSetDataEventArrivesBeforeItsCompletion() {
    Session s = open();
    create(s, "/a", "");
    RecordingWatcher onA = new RecordingWatcher();
    get(s.getData("/a", onA));
    CompletableFuture<Integer> events =
        eventsWhenWriteFromCallbackCompletes(s, onA, () -> s.setData("/a", bytes("x"), -1));
    assertEquals(1, get(events), "NODE_DATA_CHANGED of /a came before the setData completed");
  }

  @Test
  public void ownCreateEventArrivesBeforeItsCompletion() {
    Session s = open();
    RecordingWatcher onB = new RecordingWatcher();
    get(s.exists("/b", onB));
    CompletableFuture<Integer> events =
        eventsWhenWriteFromCallbackCompletes(s, onB, () -> s.create("/b", bytes(""), CreateMode.EPHEMERAL));
    assertEquals(1, get(events), "NODE_CREATED of /b came before the create completed");
  }

  @Test
  public void ownMultiEventsArriveBeforeItsCompletion() {
    Session s = open();
    create(s, "/p", "");
    RecordingWatcher onP = new RecordingWatcher();
    get(s.getChildren("/p", onP));
    CompletableFuture<Integer> events = eventsWhenWriteFromCallbackCompletes(s, onP,
        () -> s.multi(List.of(Op.create("/p/c", bytes(""), CreateMode.PERSISTENT))));
    assertEquals(1, get(events), "NODE_CHILDREN_CHANGED of /p came before the multi completed");
  }
}
