package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Sequential nodes (checklist line 14): a ten-digit zero-padded suffix taken from the parent's
 * cversion at create time, unique and increasing per parent, not dense, never a NodeExists.
 */
public abstract class SequentialConformance extends ConformanceSuite {

  private static final Pattern TEN_DIGITS = Pattern.compile("\\d{10}");

  @Test
  public void firstSequentialChildGetsTenZeroDigits() {
    Session s = open();
    create(s, "/q", "");
    Created created = get(s.create("/q/item-", bytes("x"), CreateMode.PERSISTENT_SEQUENTIAL));
    assertEquals("/q/item-0000000000", created.path());
    assertEquals("item-0000000000", created.name());
    assertEquals("x", read(s, created.path()));
  }

  @Test
  public void sequenceSuffixIsTheParentsCversionAtCreateTime() {
    Session s = open();
    create(s, "/q", "");
    create(s, "/q/plain-a", "");
    create(s, "/q/plain-b", "");
    for (int i = 0; i < 3; i++) {
      int cversion = get(s.exists("/q")).cversion();
      String path = get(s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
      String suffix = path.substring("/q/n-".length());
      assertTrue(TEN_DIGITS.matcher(suffix).matches(), "ten zero-padded digits: " + path);
      assertEquals(cversion, Integer.parseInt(suffix), "suffix is the parent's cversion");
    }
  }

  @Test
  public void sequenceNumbersIncreaseInCreationOrder() {
    Session s = open();
    create(s, "/q", "");
    int previous = -1;
    for (int i = 0; i < 20; i++) {
      int sequence = Paths.sequenceOf(get(s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
      assertTrue(sequence > previous, sequence + " after " + previous);
      previous = sequence;
    }
  }

  @Test
  public void sequenceCounterIsPerParentNotPerPrefix() {
    Session s = open();
    create(s, "/q", "");
    create(s, "/r", "");
    assertEquals("/q/a-0000000000", get(s.create("/q/a-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
    assertEquals("/q/b-0000000001", get(s.create("/q/b-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
    assertEquals("/r/a-0000000000", get(s.create("/r/a-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
  }

  @Test
  public void sequentialPrefixEndingInSlashGivesANameOfTheSuffixAlone() {
    Session s = open();
    create(s, "/q", "");
    assertEquals("/q/0000000000", get(s.create("/q/", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
    assertEquals("/q/0000000001", get(s.create("/q/", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL)).path());
    assertEquals(Set.of("0000000000", "0000000001"), new HashSet<>(get(s.getChildren("/q")).names()));
  }

  @Test
  public void sequenceNumbersAreNotReusedAfterDeletes() {
    Session s = open();
    create(s, "/q", "");
    String first = get(s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    String second = get(s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    get(s.delete(second, -1));
    get(s.delete(first, -1));
    String third = get(s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    assertTrue(Paths.sequenceOf(third) > Paths.sequenceOf(second), third + " after " + second);
  }

  @Test
  public void sequentialCreateNeverFailsWithNodeExists() {
    Session a = open();
    Session b = open();
    Session c = open();
    create(a, "/q", "");
    get(b.sync("/q"));
    get(c.sync("/q"));
    List<CompletableFuture<Created>> pending = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      for (Session s : List.of(a, b, c)) {
        CreateMode mode = i % 2 == 0 ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.EPHEMERAL_SEQUENTIAL;
        pending.add(s.create("/q/n-", bytes(""), mode));
      }
      if (i % 10 == 9) {
        // deletes in between must not let a later suffix meet an existing name
        get(a.delete(get(pending.get(pending.size() - 3)).path(), -1));
      }
    }
    Set<String> names = new HashSet<>();
    for (CompletableFuture<Created> f : pending) {
      assertTrue(names.add(get(f).path()), "every sequential path is new");
    }
    assertEquals(150, names.size());
  }

  @Test
  public void ephemeralSequentialNodeIsNumberedAndOwned() {
    Session s = open();
    create(s, "/q", "");
    Created created = get(s.create("/q/lock-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL));
    assertEquals("/q/lock-0000000000", created.path());
    assertEquals(s.id(), created.stat().ephemeralOwner());
    s.close();
    Session other = open();
    get(other.sync("/q"));
    assertTrue(get(other.getChildren("/q")).names().isEmpty(), "gone with its session");
  }

  @Test
  public void sequentialCreateUnderTheRootWorks() {
    Session s = open();
    String path = get(s.create("/top-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    assertTrue(path.startsWith("/top-") && TEN_DIGITS.matcher(path.substring(5)).matches(), path);
    assertTrue(get(s.getChildren("/")).names().contains(path.substring(1)));
  }
}
