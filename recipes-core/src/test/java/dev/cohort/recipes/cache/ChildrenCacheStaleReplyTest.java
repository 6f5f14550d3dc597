package dev.cohort.recipes.cache;

import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cohort.spi.Stat;
import org.junit.jupiter.api.Test;

/** Which of two reads of one child a {@link ChildrenCache} keeps: an older reply never wins. */
class ChildrenCacheStaleReplyTest {

  private static ChildData read(long czxid, long mzxid, int version) {
    return new ChildData("/svc/a", new byte[] {(byte) version},
        new Stat(czxid, mzxid, czxid, 0, 0, version, 0, 0, 0, 1, 0));
  }

  @Test
  void aReplyAboutAnOlderStateOfTheSameNodeIsIgnored() {
    ChildData cached = read(10, 20, 2);
    assertSame(cached, ChildrenCache.newer(cached, read(10, 15, 1)));
    ChildData fresh = read(10, 25, 3);
    assertSame(fresh, ChildrenCache.newer(cached, fresh));
  }

  @Test
  void aReplyAboutAnEarlierIncarnationIsIgnoredAndALaterOneWins() {
    ChildData cached = read(10, 20, 2);
    assertSame(cached, ChildrenCache.newer(cached, read(5, 30, 7)), "created earlier: a deleted node");
    ChildData recreated = read(40, 40, 0);
    assertSame(recreated, ChildrenCache.newer(cached, recreated), "re-created: version restarts at 0");
  }

  @Test
  void anEqualReplyReplacesTheCachedOne() {
    ChildData cached = read(10, 20, 2);
    ChildData same = read(10, 20, 2);
    assertSame(same, ChildrenCache.newer(cached, same));
  }
}
