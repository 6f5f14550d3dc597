package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.Created;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import org.junit.jupiter.api.Test;

/**
 * The stat of a node (checklist line 9): what a new node starts with, what setData moves, and what
 * a child create or delete moves on the parent: a child create increments the parent's cversion and
 * sets its pzxid; a child delete sets pzxid and never lowers cversion. The exact effect of deletes
 * on cversion and on sequence suffixes is {@link ChildDeleteCversionConformance}'s subject.
 */
public abstract class StatConformance extends ConformanceSuite {

  @Test
  public void newNodeStartsWithZeroVersionsAndEqualZxids() {
    Session s = open();
    Stat stat = create(s, "/a", "four").stat();
    assertEquals(0, stat.version());
    assertEquals(0, stat.cversion());
    assertEquals(0, stat.aversion());
    assertEquals(0, stat.numChildren());
    assertEquals(4, stat.dataLength());
    assertEquals(0, stat.ephemeralOwner());
    assertEquals(stat.czxid(), stat.mzxid(), "mzxid equals czxid until the first setData");
    assertEquals(stat.czxid(), stat.pzxid(), "pzxid equals czxid until the first child change");
    assertEquals(stat.ctime(), stat.mtime());
    assertTrue(stat.czxid() > 0, "a zxid is positive");
  }

  @Test
  public void createReturnsTheStatThatReadsSee() {
    Session s = open();
    Created created = create(s, "/a", "x");
    assertEquals(created.stat(), get(s.exists("/a")));
    assertEquals(created.stat(), get(s.getData("/a")).stat());
    assertEquals(created.stat(), get(s.getChildren("/a")).stat());
  }

  @Test
  public void setDataIncrementsVersionByOneAndMovesOnlyTheDataFields() {
    Session s = open();
    Stat before = create(s, "/a", "x").stat();
    Stat after = get(s.setData("/a", bytes("longer"), -1));
    assertEquals(before.version() + 1, after.version());
    assertEquals(before.czxid(), after.czxid());
    assertEquals(before.ctime(), after.ctime());
    assertTrue(after.mzxid() > before.mzxid(), "mzxid moves to the write's zxid");
    assertTrue(after.mtime() >= before.mtime(), "mtime never goes back");
    assertEquals(before.cversion(), after.cversion());
    assertEquals(before.pzxid(), after.pzxid());
    assertEquals(6, after.dataLength());
    assertEquals(after, get(s.exists("/a")), "setData returns the stat that reads see");
  }

  @Test
  public void childCreateIncrementsParentCversionAndSetsPzxidToTheChildsCzxid() {
    Session s = open();
    Stat parent = create(s, "/p", "").stat();
    Created child = create(s, "/p/c", "");
    Stat after = get(s.exists("/p"));
    assertEquals(parent.cversion() + 1, after.cversion());
    assertEquals(child.stat().czxid(), after.pzxid());
    assertEquals(1, after.numChildren());
    assertEquals(parent.version(), after.version(), "a child create is not a data change");
    assertEquals(parent.mzxid(), after.mzxid());
    create(s, "/p/d", "");
    assertEquals(parent.cversion() + 2, get(s.exists("/p")).cversion());
  }

  @Test
  public void childDeleteMovesParentPzxidAndNumChildrenButNeverLowersCversion() {
    Session s = open();
    create(s, "/p", "");
    Created child = create(s, "/p/c", "");
    create(s, "/p/d", "");
    Stat before = get(s.exists("/p"));
    get(s.delete("/p/c", -1));
    Stat after = get(s.exists("/p"));
    assertTrue(after.pzxid() > before.pzxid(), "pzxid moves to the delete's zxid");
    assertTrue(after.pzxid() > child.stat().czxid());
    assertEquals(1, after.numChildren());
    assertTrue(after.cversion() >= before.cversion(), "cversion never goes back");
    assertEquals(before.version(), after.version());
    assertEquals(before.mzxid(), after.mzxid());
  }

  @Test
  public void childDataChangesDoNotTouchTheParentsStat() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/c", "");
    Stat before = get(s.exists("/p"));
    get(s.setData("/p/c", bytes("changed"), -1));
    assertEquals(before, get(s.exists("/p")));
  }

  @Test
  public void grandchildChangesDoNotTouchTheGrandparentsStat() {
    Session s = open();
    create(s, "/g", "");
    create(s, "/g/p", "");
    Stat before = get(s.exists("/g"));
    create(s, "/g/p/c", "");
    get(s.delete("/g/p/c", -1));
    assertEquals(before, get(s.exists("/g")));
  }

  @Test
  public void parentDataChangesDoNotTouchCversionOrPzxid() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/c", "");
    Stat before = get(s.exists("/p"));
    Stat after = get(s.setData("/p", bytes("new"), -1));
    assertEquals(before.cversion(), after.cversion());
    assertEquals(before.pzxid(), after.pzxid());
    assertEquals(before.numChildren(), after.numChildren());
  }

  @Test
  public void getChildrenReturnsTheParentsStat() {
    Session s = open();
    create(s, "/p", "data");
    create(s, "/p/a", "");
    create(s, "/p/b", "");
    assertEquals(get(s.exists("/p")), get(s.getChildren("/p")).stat());
  }

  @Test
  public void laterCreatesGetLargerCzxids() {
    Session s = open();
    long first = create(s, "/a", "").stat().czxid();
    long second = create(s, "/b", "").stat().czxid();
    long third = create(open(), "/c", "").stat().czxid();
    assertTrue(first < second && second < third, "czxid is a fencing token: " + first + ", " + second + ", " + third);
  }

  @Test
  public void ephemeralStatNamesTheOwnerAndCountsItsData() {
    Session s = open();
    Stat stat = create(s, "/e", "abc", dev.cohort.spi.CreateMode.EPHEMERAL).stat();
    assertEquals(s.id(), stat.ephemeralOwner());
    assertEquals(3, stat.dataLength());
  }
}
