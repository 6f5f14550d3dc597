package dev.cohort.replicated;

import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.HardState;
import dev.cohort.replicated.raft.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A replica's storage on disk: a write-ahead log of hard-state and entry records, plus the latest
 * snapshot in its own file.
 *
 * <h2>Format and recovery</h2>
 * Each log record is {@code [type:1][length:4][payload][crc32:4]}. Recovery reads the snapshot, then
 * replays the log: a hard-state record replaces the hard state; an entry record for index {@code i}
 * drops any entry at or after {@code i} first (that is how a follower's overwritten suffix is
 * recorded). A torn or corrupt tail — a crash in the middle of a write — ends the replay there:
 * nothing after it was acknowledged, because a ready's messages go out only after {@link #save}
 * returned (and, with fsync on, after the data reached the disk).
 *
 * <p>Saving a snapshot writes it to a temporary file, renames it into place, and then rewrites the
 * log with only what follows the snapshot, the same way; a crash between the two leaves a log whose
 * older entries the snapshot already covers, which recovery skips.
 */
final class FileStorage implements RaftStorage {
  private static final byte HARD_STATE = 1;
  private static final byte ENTRY = 2;

  private final Path dir;
  private final boolean fsync;
  private FileChannel log;
  private HardState hardState = HardState.INITIAL;
  private Snapshot snapshot = Snapshot.EMPTY;
  private final ArrayList<Entry> entries = new ArrayList<>();

  private FileStorage(Path dir, boolean fsync) {
    this.dir = dir;
    this.fsync = fsync;
  }

  static FileStorage open(Path dir, boolean fsync) {
    FileStorage s = new FileStorage(dir, fsync);
    try {
      Files.createDirectories(dir);
      s.recover();
      s.log = FileChannel.open(dir.resolve("wal"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the replica's data directory " + dir, e);
    }
    return s;
  }

  private void recover() throws IOException {
    Path snap = dir.resolve("snapshot");
    if (Files.exists(snap)) {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(snap));
      long index = b.getLong();
      long term = b.getLong();
      byte[] data = new byte[b.getInt()];
      b.get(data);
      snapshot = new Snapshot(index, term, data);
    }
    Path wal = dir.resolve("wal");
    if (!Files.exists(wal)) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wal));
    long validEnd = 0;
    while (b.remaining() >= 9) {
      int start = b.position();
      byte type = b.get();
      int len = b.getInt();
      if (len < 0 || b.remaining() < len + 4) {
        break;
      }
      byte[] payload = new byte[len];
      b.get(payload);
      int crc = b.getInt();
      if (crc != crc(type, payload)) {
        break;
      }
      replay(type, ByteBuffer.wrap(payload));
      validEnd = b.position();
      if (start == validEnd) {
        break;
      }
    }
    if (validEnd < Files.size(wal)) {
      try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
        ch.truncate(validEnd); // drop the torn tail so new records follow valid ones
      }
    }
  }

  private void replay(byte type, ByteBuffer p) {
    if (type == HARD_STATE) {
      hardState = new HardState(p.getLong(), p.getInt(), p.getLong());
      return;
    }
    long term = p.getLong();
    long index = p.getLong();
    byte[] data = new byte[p.remaining()];
    p.get(data);
    if (index <= snapshot.index()) {
      return; // covered by the snapshot
    }
    truncateFrom(index);
    if (index == snapshot.index() + entries.size() + 1) {
      entries.add(new Entry(term, index, data));
    }
  }

  private void truncateFrom(long index) {
    int keep = (int) Math.max(0, index - snapshot.index() - 1);
    if (keep < entries.size()) {
      entries.subList(keep, entries.size()).clear();
    }
  }

  @Override
  public Persisted load() {
    return new Persisted(hardState, snapshot, List.copyOf(entries));
  }

  @Override
  public void save(HardState hs, List<Entry> newEntries) {
    if (hs == null && newEntries.isEmpty()) {
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (hs != null) {
        ByteBuffer p = ByteBuffer.allocate(20).putLong(hs.term()).putInt(hs.votedFor()).putLong(hs.commit());
        record(bytes, HARD_STATE, p.array());
        hardState = hs;
      }
      for (Entry e : newEntries) {
        ByteBuffer p = ByteBuffer.allocate(16 + e.data().length).putLong(e.term()).putLong(e.index()).put(e.data());
        record(bytes, ENTRY, p.array());
        truncateFrom(e.index());
        entries.add(e);
      }
      write(log, bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the replica's log in " + dir, e);
    }
  }

  @Override
  public void saveSnapshot(Snapshot s) {
    if (s.index() <= snapshot.index()) {
      return;
    }
    int drop = (int) Math.min(entries.size(), s.index() - snapshot.index());
    boolean matches = drop > 0 && entries.get(drop - 1).term() == s.term();
    if (matches) {
      entries.subList(0, drop).clear();
    } else {
      entries.clear();
    }
    snapshot = s;
    try {
      ByteBuffer b = ByteBuffer.allocate(20 + s.data().length).putLong(s.index()).putLong(s.term())
          .putInt(s.data().length).put(s.data());
      replaceFile(dir.resolve("snapshot"), b.array());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ByteBuffer hs = ByteBuffer.allocate(20).putLong(hardState.term()).putInt(hardState.votedFor())
          .putLong(hardState.commit());
      record(bytes, HARD_STATE, hs.array());
      for (Entry e : entries) {
        ByteBuffer p = ByteBuffer.allocate(16 + e.data().length).putLong(e.term()).putLong(e.index()).put(e.data());
        record(bytes, ENTRY, p.array());
      }
      log.close();
      replaceFile(dir.resolve("wal"), bytes.toByteArray());
      log = FileChannel.open(dir.resolve("wal"), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a snapshot in " + dir, e);
    }
  }

  private void replaceFile(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      write(ch, content);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void write(FileChannel ch, byte[] content) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(content);
    while (b.hasRemaining()) {
      ch.write(b);
    }
    if (fsync) {
      ch.force(false);
    }
  }

  private static void record(ByteArrayOutputStream bytes, byte type, byte[] payload) throws IOException {
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(type);
    out.writeInt(payload.length);
    out.write(payload);
    out.writeInt(crc(type, payload));
  }

  private static int crc(byte type, byte[] payload) {
    CRC32 c = new CRC32();
    c.update(type);
    c.update(payload);
    return (int) c.getValue();
  }

  @Override
  public void close() {
    try {
      if (log.isOpen()) {
        log.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
