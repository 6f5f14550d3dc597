package dev.cohort.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.HardState;
import dev.cohort.replicated.raft.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write-ahead log and snapshot files: what was saved is what a restart loads. */
class FileStorageTest {
  @TempDir
  Path dir;

  private static Entry e(long term, long index, String s) {
    return new Entry(term, index, s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void savedHardStateAndEntriesComeBackAfterReopen() {
    FileStorage s = FileStorage.open(dir, false);
    s.save(new HardState(2, 1, 3), List.of(e(1, 1, "a"), e(2, 2, "b"), e(2, 3, "c")));
    s.close();
    RaftStorage.Persisted p = FileStorage.open(dir, false).load();
    assertEquals(new HardState(2, 1, 3), p.hardState());
    assertEquals(List.of(e(1, 1, "a"), e(2, 2, "b"), e(2, 3, "c")), p.entries());
  }

  @Test
  void overwrittenSuffixIsReplacedOnReplay() {
    FileStorage s = FileStorage.open(dir, false);
    s.save(null, List.of(e(1, 1, "a"), e(1, 2, "b"), e(1, 3, "c")));
    s.save(new HardState(3, 2, 1), List.of(e(3, 2, "B")));
    s.close();
    assertEquals(List.of(e(1, 1, "a"), e(3, 2, "B")), FileStorage.open(dir, false).load().entries());
  }

  @Test
  void tornTailFromACrashMidWriteIsIgnoredAndLaterWritesFollowTheValidPart() throws IOException {
    FileStorage s = FileStorage.open(dir, false);
    s.save(new HardState(1, 1, 1), List.of(e(1, 1, "a")));
    s.close();
    Files.write(dir.resolve("wal"), new byte[] {2, 0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
    FileStorage reopened = FileStorage.open(dir, false);
    assertEquals(List.of(e(1, 1, "a")), reopened.load().entries());
    reopened.save(null, List.of(e(1, 2, "b")));
    reopened.close();
    assertEquals(List.of(e(1, 1, "a"), e(1, 2, "b")), FileStorage.open(dir, false).load().entries());
  }

  @Test
  void snapshotReplacesTheEntriesItCoversAcrossReopen() {
    FileStorage s = FileStorage.open(dir, true);
    s.save(new HardState(1, 1, 3), List.of(e(1, 1, "a"), e(1, 2, "b"), e(1, 3, "c")));
    s.saveSnapshot(new Snapshot(2, 1, "state".getBytes(StandardCharsets.UTF_8)));
    s.save(null, List.of(e(1, 4, "d")));
    s.close();
    RaftStorage.Persisted p = FileStorage.open(dir, true).load();
    assertEquals(new Snapshot(2, 1, "state".getBytes(StandardCharsets.UTF_8)), p.snapshot());
    assertEquals(List.of(e(1, 3, "c"), e(1, 4, "d")), p.entries());
    assertEquals(new HardState(1, 1, 3), p.hardState());
  }
}
