package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Create, read, update and delete, with their conditions: checklist lines 7 (all the bytes), 10
 * (conditional updates), 11 (NotEmpty, NoNode, NodeExists), 12 (children in no promised order) and
 * 13 (ephemerals). Every refused request is shown to change nothing.
 */
public abstract class CrudConformance extends ConformanceSuite {

  @Test
  public void readReturnsEveryByteThatWasWritten() {
    Session s = open();
    byte[] data = new byte[64 * 1024];
    new Random(7).nextBytes(data);
    data[0] = 0;
    data[data.length - 1] = 0;
    Created created = get(s.create("/blob", data, CreateMode.PERSISTENT));
    assertEquals("/blob", created.path());
    NodeData read = get(s.getData("/blob"));
    assertArrayEquals(data, read.data());
    assertEquals(data.length, read.stat().dataLength());
  }

  @Test
  public void setDataReplacesAllTheBytes() {
    Session s = open();
    create(s, "/a", "a long first value");
    get(s.setData("/a", bytes("short"), -1));
    assertEquals("short", read(s, "/a"));
    get(s.setData("/a", new byte[0], -1));
    NodeData read = get(s.getData("/a"));
    assertEquals(0, read.data().length);
    assertEquals(0, read.stat().dataLength());
  }

  @Test
  public void emptyDataReadsBackAsAnEmptyArrayNotNull() {
    Session s = open();
    get(s.create("/empty", new byte[0], CreateMode.PERSISTENT));
    NodeData read = get(s.getData("/empty"));
    assertNotNull(read.data());
    assertEquals(0, read.data().length);
  }

  @Test
  public void changingTheWrittenArrayAfterwardsDoesNotChangeTheNode() {
    Session s = open();
    byte[] data = bytes("original");
    get(s.create("/a", data, CreateMode.PERSISTENT));
    data[0] = 'X';
    byte[] update = bytes("updated");
    get(s.setData("/a", update, -1));
    update[0] = 'X';
    assertEquals("updated", read(s, "/a"));
  }

  @Test
  public void changingTheReturnedArrayDoesNotChangeTheNode() {
    Session s = open();
    create(s, "/a", "original");
    byte[] first = get(s.getData("/a")).data();
    first[0] = 'X';
    assertEquals("original", read(s, "/a"));
  }

  @Test
  public void dataWrittenByOneSessionIsReadByAnother() {
    Session writer = open();
    Session reader = open();
    create(writer, "/shared", "hello");
    get(reader.sync("/shared"));
    assertEquals("hello", read(reader, "/shared"));
  }

  @Test
  public void setDataWithTheCurrentVersionSucceeds() {
    Session s = open();
    create(s, "/a", "v0");
    Stat stat = get(s.setData("/a", bytes("v1"), 0));
    assertEquals(1, stat.version());
    stat = get(s.setData("/a", bytes("v2"), 1));
    assertEquals(2, stat.version());
    assertEquals("v2", read(s, "/a"));
  }

  @Test
  public void setDataWithAStaleVersionFailsWithBadVersionAndChangesNothing() {
    Session s = open();
    create(s, "/a", "v0");
    get(s.setData("/a", bytes("v1"), 0));
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_VERSION, s.setData("/a", bytes("stale"), 0));
    assertFails(ErrorCode.BAD_VERSION, s.setData("/a", bytes("future"), 7));
    assertEquals(before, snapshot());
    assertEquals("v1", read(s, "/a"));
  }

  @Test
  public void versionMinusOneMatchesAnyVersionForSetData() {
    Session s = open();
    create(s, "/a", "v0");
    get(s.setData("/a", bytes("v1"), -1));
    Stat stat = get(s.setData("/a", bytes("v2"), -1));
    assertEquals(2, stat.version());
  }

  @Test
  public void deleteWithAStaleVersionFailsWithBadVersionAndKeepsTheNode() {
    Session s = open();
    create(s, "/a", "v0");
    get(s.setData("/a", bytes("v1"), -1));
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_VERSION, s.delete("/a", 0));
    assertEquals(before, snapshot());
    get(s.delete("/a", 1));
    assertNull(get(s.exists("/a")));
  }

  @Test
  public void deleteWithVersionMinusOneDeletesWhateverTheVersion() {
    Session s = open();
    create(s, "/a", "v0");
    get(s.setData("/a", bytes("v1"), -1));
    get(s.setData("/a", bytes("v2"), -1));
    get(s.delete("/a", -1));
    assertNull(get(s.exists("/a")));
  }

  @Test
  public void deleteOfANodeWithChildrenFailsWithNotEmptyAndKeepsBoth() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/c", "");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.NOT_EMPTY, s.delete("/p", -1));
    assertEquals(before, snapshot());
    assertTrue(before.contains("/p/c"));
  }

  @Test
  public void createUnderAMissingParentFailsWithNoNodeAndCreatesNothing() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.NO_NODE, s.create("/missing/child", bytes("x"), CreateMode.PERSISTENT));
    assertFails(ErrorCode.NO_NODE, s.create("/missing/child", bytes("x"), CreateMode.EPHEMERAL_SEQUENTIAL));
    assertEquals(before, snapshot());
  }

  @Test
  public void createOfAnExistingPathFailsWithNodeExistsAndKeepsTheOldData() {
    Session s = open();
    create(s, "/a", "first");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.NODE_EXISTS, s.create("/a", bytes("second"), CreateMode.PERSISTENT));
    assertFails(ErrorCode.NODE_EXISTS, s.create("/a", bytes("second"), CreateMode.EPHEMERAL));
    assertEquals(before, snapshot());
    assertEquals("first", read(s, "/a"));
  }

  @Test
  public void everyOperationOnAMissingNodeFailsWithNoNodeExceptExists() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.NO_NODE, s.getData("/nope"));
    assertFails(ErrorCode.NO_NODE, s.getChildren("/nope"));
    assertFails(ErrorCode.NO_NODE, s.setData("/nope", bytes("x"), -1));
    assertFails(ErrorCode.NO_NODE, s.delete("/nope", -1));
    assertNull(get(s.exists("/nope")));
    assertEquals(before, snapshot());
  }

  @Test
  public void deletedNodeIsGoneForEveryoneAndCanBeCreatedAfresh() {
    Session s = open();
    Session other = open();
    create(s, "/a", "old");
    get(s.setData("/a", bytes("older"), -1));
    get(s.delete("/a", -1));
    get(other.sync("/a"));
    assertNull(get(other.exists("/a")));
    Created again = create(other, "/a", "new");
    assertEquals(0, again.stat().version());
    get(s.sync("/a"));
    assertEquals("new", read(s, "/a"));
  }

  @Test
  public void getChildrenReturnsExactlyTheChildNamesNotPaths() {
    Session s = open();
    create(s, "/p", "");
    Set<String> expected = new HashSet<>(List.of("c", "a", "b-1", "zz"));
    for (String name : expected) {
      create(s, "/p/" + name, "");
    }
    create(s, "/p/a/grandchild", "");
    List<String> names = get(s.getChildren("/p")).names();
    assertEquals(expected.size(), names.size(), () -> "no duplicates, no grandchildren: " + names);
    assertEquals(expected, new HashSet<>(names));
  }

  @Test
  public void leafHasNoChildren() {
    Session s = open();
    create(s, "/leaf", "x");
    assertTrue(get(s.getChildren("/leaf")).names().isEmpty());
  }

  @Test
  public void ephemeralNodeRecordsTheSessionThatOwnsIt() {
    Session s = open();
    Created created = create(s, "/e", "", CreateMode.EPHEMERAL);
    assertEquals(s.id(), created.stat().ephemeralOwner());
    assertTrue(created.stat().isEphemeral());
    Session other = open();
    get(other.sync("/e"));
    assertEquals(s.id(), get(other.exists("/e")).ephemeralOwner());
  }

  @Test
  public void persistentNodeHasNoOwner() {
    Session s = open();
    assertEquals(0, create(s, "/p", "").stat().ephemeralOwner());
    assertFalse(get(s.exists("/p")).isEphemeral());
  }

  @Test
  public void ephemeralNodeCannotHaveChildren() {
    Session s = open();
    create(s, "/e", "", CreateMode.EPHEMERAL);
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, s.create("/e/c", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, s.create("/e/c", bytes(""), CreateMode.EPHEMERAL));
    assertFails(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, s.create("/e/c-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL));
    assertEquals(before, snapshot());
  }

  @Test
  public void ephemeralNodeDisappearsForOthersWhenItsSessionCloses() {
    Session owner = open();
    Session other = open();
    create(owner, "/p", "");
    create(owner, "/p/e", "", CreateMode.EPHEMERAL);
    owner.close();
    get(other.sync("/p/e"));
    assertNull(get(other.exists("/p/e")));
    assertNotNull(get(other.exists("/p")), "the persistent parent outlives the session");
  }

  @Test
  public void anotherSessionMayDeleteAnEphemeralNode() {
    Session owner = open();
    Session other = open();
    create(owner, "/e", "", CreateMode.EPHEMERAL);
    get(other.sync("/e"));
    get(other.delete("/e", -1));
    get(owner.sync("/e"));
    assertNull(get(owner.exists("/e")));
  }
}
