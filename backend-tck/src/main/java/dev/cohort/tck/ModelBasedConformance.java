package dev.cohort.tck;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The model-based conformance test (jqwik): random scripts of operations from three sessions — every
 * kind of write and read, multis, closes, and, where the fixture offers them, expiry and
 * disconnect/reconnect — run one at a time against a fresh backend and against {@link TreeModel}
 * (and {@link WatchModel} for the one-shot watches each session sets). After every step the
 * results, errors, stats and the watch events each connected session received must agree; at the
 * end the whole subtree must agree, and once every session is closed no ephemeral may remain.
 *
 * <p>The number of scripts per run is the system property {@code cohort.tck.model.tries} (default
 * 150); a failure is shrunk to a short script and printed with jqwik's seed for replay.
 */
public abstract class ModelBasedConformance {

  /** A fresh fixture over a fresh backend: called once per script. */
  protected abstract BackendFixture newFixture();

  /** What one step of a script does. */
  public enum Kind {
    CREATE, DELETE, SET_DATA, GET_DATA, EXISTS, GET_CHILDREN, WATCH, MULTI, READ_MULTI, CLOSE, EXPIRE, DISCONNECT,
    RECONNECT
  }

  /**
   * One step: which session acts and three choices the harness turns into a path, a version, data,
   * a mode or a multi's ops, given the model's state at that point.
   */
  public record Step(Kind kind, int session, int a, int b, int c) {
    @Override
    public String toString() {
      return kind + "(s" + session + ", " + a + ", " + b + ", " + c + ")";
    }
  }

  @Property(shrinking = ShrinkingMode.BOUNDED)
  @AddLifecycleHook(ConfiguredTries.class)
  public void treeBehavesLikeTheModel(@ForAll("scripts") List<Step> script) {
    try (BackendFixture fixture = newFixture(); ModelHarness harness = new ModelHarness(fixture)) {
      for (int i = 0; i < script.size(); i++) {
        harness.apply(script.get(i), "step " + i + " " + script.get(i));
      }
      harness.compareSubtree("after the script");
      harness.closeEverySessionAndCheckNoEphemeralRemains();
    }
  }

  @Provide
  Arbitrary<List<Step>> scripts() {
    Arbitrary<Kind> kinds = Arbitraries.frequency(
        Tuple.of(12, Kind.CREATE), Tuple.of(6, Kind.DELETE), Tuple.of(6, Kind.SET_DATA),
        Tuple.of(3, Kind.GET_DATA), Tuple.of(2, Kind.EXISTS), Tuple.of(3, Kind.GET_CHILDREN), Tuple.of(8, Kind.WATCH),
        Tuple.of(4, Kind.MULTI), Tuple.of(1, Kind.READ_MULTI), Tuple.of(1, Kind.CLOSE),
        Tuple.of(1, Kind.EXPIRE), Tuple.of(2, Kind.DISCONNECT), Tuple.of(2, Kind.RECONNECT));
    Arbitrary<Integer> choice = Arbitraries.integers().between(0, 999);
    Arbitrary<Step> steps = Combinators.combine(kinds, Arbitraries.integers().between(0, 2), choice, choice, choice)
        .as(Step::new);
    return steps.list().ofMinSize(1).ofMaxSize(40);
  }

  /** Sets the number of tries from {@code cohort.tck.model.tries} (default 150). */
  public static final class ConfiguredTries implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
      context.attributes().setTries(Integer.getInteger("cohort.tck.model.tries", 150));
      return property.execute();
    }
  }
}
