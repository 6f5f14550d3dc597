package dev.cohort.etcd;

import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ConformanceSuite;
import dev.cohort.tck.RecordingWatcher;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session's namespace watch resumes after a disconnect from the revision after the last one it
 * handled. If etcd compacted those revisions meanwhile, the stream starts again at the compaction:
 * one-shot watches are judged from a fresh read (ZooKeeper's SetWatches), so they still fire once;
 * persistent watches lose the compacted changes (the module README says so) and hear later ones.
 */
class EtcdWatchCompactionTest extends ConformanceSuite {

  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }

  @Test
  void watchesWorkAgainAfterEtcdCompactedTheRevisionsTheStreamMissed() throws Exception {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    create(writer, "/p", "");
    create(writer, "/other", "");
    RecordingWatcher oneShot = new RecordingWatcher();
    RecordingWatcher onP = new RecordingWatcher();
    get(s.getData("/a", oneShot));
    get(s.addWatch("/p", WatchMode.PERSISTENT, onP));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.setData("/a", bytes("while cut off"), -1));
    get(writer.setData("/p", bytes("while cut off"), -1));
    get(writer.setData("/other", bytes("after them"), -1));
    compactToNow();
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);

    waitFor().until(() -> oneShot.count() >= 1);
    get(writer.setData("/p", bytes("after the reconnect"), -1));
    waitFor().until(() -> onP.count() >= 1);
    RecordingWatcher again = new RecordingWatcher();
    get(s.getData("/a", again));
    get(writer.setData("/a", bytes("after the reconnect"), -1));
    waitFor().until(() -> again.count() >= 1);
    settle(s, "/a", "/p");
    assertEquals(List.of(new WatchEvent(NODE_DATA_CHANGED, "/a")), oneShot.events(), "judged from a read, once");
    assertEquals(List.of(new WatchEvent(NODE_DATA_CHANGED, "/p")), onP.events(),
        "the compacted change is lost, the later one heard once");
    assertEquals(List.of(new WatchEvent(NODE_DATA_CHANGED, "/a")), again.events());
  }

  private void compactToNow() throws Exception {
    EtcdProcess server = ((EtcdFixture) fixture).server();
    try (Client admin = Client.builder().endpoints(server.clientUrls()).build()) {
      ByteSequence any = ByteSequence.from("/", StandardCharsets.UTF_8);
      long now = admin.getKVClient().get(any).get(20, TimeUnit.SECONDS).getHeader().getRevision();
      admin.getKVClient().compact(now).get(20, TimeUnit.SECONDS);
    }
  }
}
