package dev.cohort.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnownNodesTest {

  private static NodeSnap node(String path, int dataBytes) {
    KeyValue data = new KeyValue(io.etcd.jetcd.api.KeyValue.newBuilder()
        .setKey(ByteString.copyFromUtf8(path))
        .setValue(ByteString.copyFrom(new byte[dataBytes]))
        .setCreateRevision(1)
        .setModRevision(1)
        .build(), ByteSequence.EMPTY);
    return new NodeSnap(path, data, null, 0, null);
  }

  @Test
  void aNodeNeverSeenIsGuessedMissing() {
    NodeSnap guess = new KnownNodes(10, 1_000).guess("/a");
    assertFalse(guess.exists());
    assertEquals(0, guess.dataModRevision());
    assertEquals(0, guess.metaModRevision());
  }

  @Test
  void keepsNoChildNames() {
    KnownNodes known = new KnownNodes(10, 1_000);
    NodeSnap listed = node("/a", 1);
    known.learn(new NodeSnap("/a", listed.data(), null, 2, List.of("x", "y")));
    assertNull(known.guess("/a").names());
    assertEquals(2, known.guess("/a").childCount());
  }

  @Test
  void leastRecentlyUsedGoFirstPastTheEntryBound() {
    KnownNodes known = new KnownNodes(2, 1_000);
    NodeSnap a = node("/a", 1);
    known.learn(a);
    known.learn(node("/b", 1));
    assertSame(a, known.guess("/a")); // /a used last: /b is the eldest now
    known.learn(node("/c", 1));
    assertEquals(2, known.size());
    assertTrue(known.guess("/a").exists());
    assertFalse(known.guess("/b").exists());
  }

  @Test
  void largeValuesArePushedOutByTheByteBound() {
    KnownNodes known = new KnownNodes(100, 1_000);
    known.learn(node("/a", 600));
    known.learn(node("/b", 600));
    assertFalse(known.guess("/a").exists());
    assertTrue(known.guess("/b").exists());
    known.learn(node("/huge", 5_000)); // more than the bound alone: not kept, and it evicts the rest
    assertEquals(0, known.size());
  }
}
