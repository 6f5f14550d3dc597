package dev.cohort.examples.readme;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.testing.CohortFixture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What README's snippets take for granted: a started {@code client} (and an {@code admin} client) on
 * an in-memory fixture, and the application methods they call ({@code startScheduling},
 * {@code render}, ...), which here record what they were called with so the tests can assert it.
 */
abstract class ReadmeTestBase {
  CohortFixture fixture;
  Cohort client;
  Cohort admin;
  /** Every application call a snippet made, in order, e.g. "startScheduling 12". */
  final List<String> calls = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startFixture() {
    fixture = CohortFixture.inMemory();
    client = fixture.newClient();
    admin = fixture.newClient();
  }

  @AfterEach
  void closeFixture() {
    fixture.close(); // closes its clients too
  }

  void call(String what) {
    calls.add(what);
  }

  void call(String what, FencingToken token) {
    calls.add(what + " " + token.value());
  }

  boolean called(String prefix) {
    return calls.stream().anyMatch(c -> c.startsWith(prefix));
  }
}
