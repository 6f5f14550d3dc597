/**
 * The backend conformance suite (TCK): what every {@link dev.cohort.spi.CoordinationBackend} must do,
 * as JUnit 5 tests a backend module runs by subclassing.
 *
 * <h2>Running it for a backend</h2>
 * Write a {@link dev.cohort.tck.BackendFixture} over the backend (a fresh backend per fixture, plus
 * whatever {@link dev.cohort.tck.FaultControl}s it can offer), then one tiny subclass per suite in
 * the backend's test sources, each implementing {@code newFixture()}:
 *
 * <pre>{@code
 * class MyWatchTest extends WatchConformance {
 *   @Override protected BackendFixture newFixture() { return new MyFixture(); }
 * }
 * }</pre>
 *
 * A test that needs an optional {@link dev.cohort.spi.Capability} or a fault control the fixture
 * lacks is skipped with that as the reason ({@link dev.cohort.tck.Requirements}); nothing is
 * {@code @Disabled}. Tests that check the refusal a backend <em>without</em> a capability must give
 * run only on such a backend, so a backend that can be built without its options may run those
 * suites a second time that way.
 *
 * <h2>The suites and the checklist lines they cover</h2>
 * Line numbers refer to {@code zookeeper-semantics.md}.
 * <ul>
 *   <li>{@link dev.cohort.tck.CrudConformance}: 7, 10, 11, 12, 13.</li>
 *   <li>{@link dev.cohort.tck.StatConformance}: 1 (czxid as fencing token), 9.</li>
 *   <li>{@link dev.cohort.tck.ChildDeleteCversionConformance}: 9 and 14 after deletes, as ZooKeeper
 *       3.9 does them (a delete counts in the stat's cversion but not in sequence suffixes), where
 *       the checklist's line 14 is imprecise.</li>
 *   <li>{@link dev.cohort.tck.SequentialConformance}: 14.</li>
 *   <li>{@link dev.cohort.tck.OptionalNodeTypesConformance}: 15, 16.</li>
 *   <li>{@link dev.cohort.tck.PathRulesConformance}: 17, 18, 19, 20.</li>
 *   <li>{@link dev.cohort.tck.WatchConformance}: 21, 22, 23, 24.</li>
 *   <li>{@link dev.cohort.tck.PersistentWatchConformance}: 25.</li>
 *   <li>{@link dev.cohort.tck.SessionConformance}: 6, 13, 26, 27, 28, 29.</li>
 *   <li>{@link dev.cohort.tck.MultiConformance}: 3, 30.</li>
 *   <li>{@link dev.cohort.tck.OrderingConformance}: 1, 2, 4, 5, 6, 24, and callbacks never under a
 *       backend lock.</li>
 *   <li>{@link dev.cohort.tck.OwnWriteEventOrderConformance}: 24 for a session's own writes.</li>
 *   <li>{@link dev.cohort.tck.BadInputConformance}: 8, null arguments, closed sessions, a closed
 *       backend, empty and mixed multis.</li>
 *   <li>{@link dev.cohort.tck.ModelBasedConformance}: 1-3, 7, 9-14, 28-30 at once, by comparing
 *       random multi-session scripts (with expiry and disconnects) with a simple model.</li>
 * </ul>
 *
 * <h2>How the tests wait</h2>
 * Never by sleeping: futures are awaited with a bound ({@code cohort.tck.timeoutSeconds}, default
 * 10), conditions with Awaitility, and the absence of a watch event is asserted only after the
 * watching session has synced and read the nodes concerned (the SPI delivers a watch event before
 * any result that shows its change). No test asserts on speed. Reads by one session of another's
 * writes sync first, so the suites hold for backends whose replicas lag.
 */
package dev.cohort.tck;
