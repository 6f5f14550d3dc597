package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Path rules (checklist lines 17-19) and the reserved nodes (line 20). An invalid path is refused by
 * every operation with INVALID_PATH and changes nothing; names that only look odd are accepted.
 */
public abstract class PathRulesConformance extends ConformanceSuite {

  /** Every operation that takes a path refuses {@code path} with INVALID_PATH, and nothing changes. */
  private void assertRefusedEverywhere(String path) {
    Session s = open();
    if (get(s.exists("/a")) == null) {
      create(s, "/a", "");
    }
    TreeSnapshot before = snapshot();
    String shown = describe(path);
    assertFails(ErrorCode.INVALID_PATH, s.create(path, bytes("x"), CreateMode.PERSISTENT));
    assertFails(ErrorCode.INVALID_PATH, s.create(path, bytes("x"), CreateMode.EPHEMERAL));
    assertFails(ErrorCode.INVALID_PATH, s.exists(path));
    assertFails(ErrorCode.INVALID_PATH, s.exists(path, new RecordingWatcher()));
    assertFails(ErrorCode.INVALID_PATH, s.getData(path));
    assertFails(ErrorCode.INVALID_PATH, s.getChildren(path));
    assertFails(ErrorCode.INVALID_PATH, s.setData(path, bytes("x"), -1));
    assertFails(ErrorCode.INVALID_PATH, s.delete(path, -1));
    assertFails(ErrorCode.INVALID_PATH, s.multi(List.of(Op.create(path, bytes("x"), CreateMode.PERSISTENT))));
    assertEquals(before, snapshot(), "refusing " + shown + " changed the tree");
  }

  private static String describe(String path) {
    StringBuilder sb = new StringBuilder("\"");
    path.chars().forEach(c -> sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04X", c) : String.valueOf((char) c)));
    return sb.append('"').toString();
  }

  @Test
  public void emptyPathIsInvalid() {
    assertRefusedEverywhere("");
  }

  @Test
  public void relativePathIsInvalid() {
    assertRefusedEverywhere("a");
    assertRefusedEverywhere("a/b");
  }

  @Test
  public void trailingSlashIsInvalidExceptForTheRoot() {
    assertRefusedEverywhere("/a/");
    assertNotNull(get(open().exists("/")));
  }

  @Test
  public void emptySegmentIsInvalid() {
    assertRefusedEverywhere("//a");
    assertRefusedEverywhere("/a//b");
    assertRefusedEverywhere("//");
  }

  @Test
  public void dotSegmentIsInvalid() {
    assertRefusedEverywhere("/.");
    assertRefusedEverywhere("/a/./b");
    assertRefusedEverywhere("/a/.");
  }

  @Test
  public void dotDotSegmentIsInvalid() {
    assertRefusedEverywhere("/..");
    assertRefusedEverywhere("/a/../b");
    assertRefusedEverywhere("/a/..");
  }

  @Test
  public void dotsInsideANameAreAllowed() {
    Session s = open();
    for (String path : List.of("/a.b", "/.hidden", "/..a", "/a..", "/...")) {
      assertEquals(path, create(s, path, "").path());
      assertNotNull(get(s.exists(path)), path);
    }
  }

  @Test
  public void nullCharacterIsInvalid() {
    assertRefusedEverywhere("/a\u0000b");
    assertRefusedEverywhere("/\u0000");
  }

  @Test
  public void controlCharactersAreInvalid() {
    assertRefusedEverywhere("/a\u0001b");
    assertRefusedEverywhere("/a\tb");
    assertRefusedEverywhere("/a\nb");
    assertRefusedEverywhere("/a\u001fb");
  }

  @Test
  public void deleteAndC1ControlCharactersAreInvalid() {
    assertRefusedEverywhere("/a\u007fb");
    assertRefusedEverywhere("/a\u0080b");
    assertRefusedEverywhere("/a\u009fb");
  }

  @Test
  public void surrogateAndPrivateUseCharactersAreInvalid() {
    assertRefusedEverywhere("/a\ud800b");
    assertRefusedEverywhere("/a\ue000b");
    assertRefusedEverywhere("/a\uf8ffb");
  }

  @Test
  public void supplementaryCharactersAreInvalidBecauseTheirSurrogatesAre() {
    assertRefusedEverywhere("/smile\ud83d\ude00");
  }

  @Test
  public void specialsBlockCharactersAreInvalid() {
    assertRefusedEverywhere("/a\ufff0b");
    assertRefusedEverywhere("/a\ufffdb");
    assertRefusedEverywhere("/a\uffffb");
  }

  @Test
  public void charactersJustOutsideTheIllegalRangesAreAllowed() {
    Session s = open();
    for (String path : List.of("/a b", "/a~b", "/a\u00a0b", "/caf\u00e9", "/a\uf900b", "/a\uffefb", "/a:b@c")) {
      assertEquals(path, create(s, path, "v").path());
      assertEquals("v", read(s, path));
      assertTrue(get(s.getChildren("/")).names().contains(path.substring(1)), describe(path));
    }
  }

  @Test
  public void invalidSequentialPrefixIsRefused() {
    Session s = open();
    create(s, "/q", "");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.INVALID_PATH, s.create("/q//n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL));
    assertFails(ErrorCode.INVALID_PATH, s.create("/q/../n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL));
    assertFails(ErrorCode.INVALID_PATH, s.create("q/n-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL));
    assertFails(ErrorCode.INVALID_PATH, s.create("/q/n\u0000-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL));
    assertEquals(before, snapshot());
  }

  @Test
  public void reservedZookeeperNodeExistsUnderTheRoot() {
    Session s = open();
    assertNotNull(get(s.exists(Paths.RESERVED)));
    assertTrue(get(s.getChildren(Paths.ROOT)).names().contains("zookeeper"));
  }

  @Test
  public void rootCannotBeDeleted() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.delete(Paths.ROOT, -1));
    assertEquals(before, snapshot());
    assertNotNull(get(s.exists(Paths.ROOT)));
  }

  @Test
  public void reservedSubtreeCannotBeDeleted() {
    Session s = open();
    List<String> system = get(s.getChildren(Paths.RESERVED)).names();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.delete(Paths.RESERVED, -1));
    for (String child : system) {
      assertFails(ErrorCode.BAD_ARGUMENTS, s.delete(Paths.join(Paths.RESERVED, child), -1));
    }
    assertEquals(before, snapshot());
    assertNotNull(get(s.exists(Paths.RESERVED)));
    assertEquals(system.size(), get(s.getChildren(Paths.RESERVED)).names().size());
  }

  @Test
  public void rootCanBeReadAndListed() {
    Session s = open();
    create(s, "/x", "");
    assertNotNull(get(s.getData(Paths.ROOT)).stat());
    assertTrue(get(s.getChildren(Paths.ROOT)).names().contains("x"));
  }

  /** ZooKeeper keeps {@code config} and {@code quota} under {@code /zookeeper} (3.5 and later). */
  @Test
  public void reservedNodeHoldsZooKeepersSystemChildren() {
    Session s = open();
    assertEquals(java.util.Set.of("config", "quota"), new java.util.HashSet<>(get(s.getChildren(Paths.RESERVED)).names()));
    assertEquals(2, get(s.exists(Paths.RESERVED)).numChildren());
    assertNotNull(get(s.exists(Paths.RESERVED + "/config")));
    assertNotNull(get(s.exists(Paths.RESERVED + "/quota")));
  }

  /** A sequential create of {@code /} makes a node named by its suffix alone, as on ZooKeeper. */
  @Test
  public void sequentialCreateDirectlyUnderTheRootIsAllowed() {
    Session s = open();
    String ephemeral = get(s.create(Paths.ROOT, bytes("e"), CreateMode.EPHEMERAL_SEQUENTIAL)).path();
    String persistent = get(s.create(Paths.ROOT, bytes("p"), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    for (String path : java.util.List.of(ephemeral, persistent)) {
      assertTrue(path.matches("/-?\\d{10}"), path);
      assertEquals(Paths.ROOT, Paths.parent(path));
    }
    assertTrue(Paths.sequenceOf(persistent) > Paths.sequenceOf(ephemeral));
    assertEquals("p", read(s, persistent));
    get(s.delete(persistent, -1));
  }

  @Test
  public void nonSequentialCreateOfTheRootFailsWithNodeExists() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.NODE_EXISTS, s.create(Paths.ROOT, bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.NODE_EXISTS, s.create(Paths.ROOT, bytes(""), CreateMode.EPHEMERAL));
    assertEquals(before, snapshot());
  }
}
