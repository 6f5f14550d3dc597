package dev.cohort.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PathsTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a", "/a/b", "/a.b", "/a/..b", "/a/b..", "/.a", "/zookeeper", "/ü/名前", "/a b"})
  void acceptsValidPaths(String path) {
    assertNull(Paths.problem(path, false));
    Paths.validate(path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a/b", "/a/", "//", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a/.", "/a/..",
      "/a\u0000", "/a\u0001", "/a\u001f", "/a\u007f", "/a\u009f", "/a\ud800", "/a\uf8ff", "/a\ufff0", "/a\uffff"})
  void rejectsInvalidPathsWithTheRuleBroken(String path) {
    InvalidPathException e = assertThrows(InvalidPathException.class, () -> Paths.validate(path));
    assertEquals(ErrorCode.INVALID_PATH, e.code());
    assertEquals(path, e.path());
    assertFalse(Paths.isValid(path));
  }

  @Test
  void sequentialPrefixMayEndInSlash() {
    Paths.validate("/q/", true);
    Paths.validate("/q/job-", true);
    assertThrows(InvalidPathException.class, () -> Paths.validate("/q/", false));
    assertThrows(InvalidPathException.class, () -> Paths.validate("/q//", true));
    assertThrows(InvalidPathException.class, () -> Paths.validate("/../", true));
  }

  @Test
  void nullPathIsANullPointerException() {
    assertThrows(NullPointerException.class, () -> Paths.validate(null));
  }

  @Test
  void parentNameAndJoinCompose() {
    assertEquals("/", Paths.parent("/a"));
    assertEquals("/a", Paths.parent("/a/b"));
    assertEquals("b", Paths.name("/a/b"));
    assertEquals("", Paths.name("/"));
    assertEquals("/a", Paths.join("/", "a"));
    assertEquals("/a/b", Paths.join("/a", "b"));
    assertThrows(IllegalArgumentException.class, () -> Paths.parent("/"));
  }

  @Test
  void rootAndReservedSubtreeAreProtected() {
    assertTrue(Paths.isProtected("/"));
    assertTrue(Paths.isProtected("/zookeeper"));
    assertTrue(Paths.isProtected("/zookeeper/config"));
    assertFalse(Paths.isProtected("/zookeeperx"));
  }

  @Test
  void ancestryIsBySegmentNotByPrefix() {
    assertTrue(Paths.isAtOrBelow("/a/b", "/a"));
    assertTrue(Paths.isAtOrBelow("/a", "/a"));
    assertTrue(Paths.isAtOrBelow("/a", "/"));
    assertFalse(Paths.isAtOrBelow("/ab", "/a"));
  }

  @Test
  void sequenceSuffixIsTenDigitsAndKeepsItsSignAfterTheWrap() {
    assertEquals("/q/job-0000000007", Paths.withSequence("/q/job-", 7));
    assertEquals(7, Paths.sequenceOf("job-0000000007"));
    assertEquals(Integer.MAX_VALUE, Paths.sequenceOf(Paths.withSequence("x-", Integer.MAX_VALUE)));
    assertEquals("/q/-2147483648", Paths.withSequence("/q/", Integer.MIN_VALUE));
    assertEquals(Integer.MIN_VALUE, Paths.sequenceOf("/q/-2147483648"));
    assertEquals(-5, Paths.sequenceOf("lock--000000005"));
    assertThrows(IllegalArgumentException.class, () -> Paths.sequenceOf("job"));
    assertThrows(IllegalArgumentException.class, () -> Paths.sequenceOf("job-abcdefghij"));
  }
}
