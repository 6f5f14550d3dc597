package dev.cohort.testing;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationBackend;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives every test a fresh {@link CohortFixture} (backend, clients,
 * faults) and closes it afterwards, then runs the history checks the test registered.
 *
 * <p>Register it on a field:
 *
 * <pre>{@code
 * class LockTest {
 *   @RegisterExtension
 *   final CohortExtension cohort = CohortExtension.inMemory();
 *
 *   @Test
 *   void waitersGetTheLockInTurn() throws Exception {
 *     DistributedLock lock = new DistributedLock(cohort.client(), "/l");
 *     OwnershipHistory history = cohort.check(new OwnershipHistory("lock /l"));
 *     FencingToken t = lock.acquire();
 *     history.acquired("/l", "me", t.value());
 *     ...
 *   }   // after the test: the fixture is closed and history.check() runs
 * }
 * }</pre>
 *
 * or use {@link CohortTest @CohortTest} and take {@link CohortFixture}, {@link Cohort} or {@link
 * CoordinationBackend} as test parameters. {@link #replicated(int)} and {@link #zookeeper()} pick
 * the other backends; {@link EveryBackendTest @EveryBackendTest} runs one test on each of them.
 *
 * <p>Tests of one class must not run concurrently with each other when they share one extension
 * instance (JUnit's default): the extension holds the current test's fixture.
 */
public final class CohortExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final BackendKind configuredKind;
  private final int configuredReplicas;
  /** Whether this extension is one run of an {@link EveryBackendTest @EveryBackendTest} method. */
  private final boolean run;
  /** Why this run is skipped, or null. */
  private final String skipReason;
  private volatile CohortFixture fixture;
  private volatile Cohort client;
  private final List<Runnable> checks = new ArrayList<>(); // guarded by itself

  /** For {@link CohortTest @CohortTest} and {@code @ExtendWith}: the backend comes from the annotation. */
  public CohortExtension() {
    this(null, 3);
  }

  private CohortExtension(BackendKind kind, int replicas) {
    this(kind, replicas, false, null);
  }

  private CohortExtension(BackendKind kind, int replicas, boolean run, String skipReason) {
    this.configuredKind = kind;
    this.configuredReplicas = replicas;
    this.run = run;
    this.skipReason = skipReason;
  }

  /** The extension of one run of an {@link EveryBackendTest @EveryBackendTest} method. */
  static CohortExtension forRun(BackendKind kind, int replicas, String skipReason) {
    return new CohortExtension(kind, replicas, true, skipReason);
  }

  /** An extension giving each test an in-memory backend on virtual time. */
  public static CohortExtension inMemory() {
    return new CohortExtension(BackendKind.IN_MEMORY, 1);
  }

  /** An extension giving each test a replicated backend of {@code replicas} (1, 3, 5 or 7). */
  public static CohortExtension replicated(int replicas) {
    CohortFixture.requireReplicaCount(replicas);
    return new CohortExtension(BackendKind.REPLICATED, replicas);
  }

  /** An extension giving each test a fixture on the JVM's etcd server (see {@link BackendKind#ETCD}). */
  public static CohortExtension etcd() {
    return new CohortExtension(BackendKind.ETCD, 1);
  }

  /** An extension giving each test an embedded ZooKeeper server (see {@link BackendKind#ZOOKEEPER}). */
  public static CohortExtension zookeeper() {
    return new CohortExtension(BackendKind.ZOOKEEPER, 1);
  }

  /**
   * The current test's fixture.
   *
   * @throws IllegalStateException outside a test
   */
  public CohortFixture fixture() {
    CohortFixture f = fixture;
    if (f == null) {
      throw new IllegalStateException("no fixture outside a test (use it from @Test or @BeforeEach methods)");
    }
    return f;
  }

  /** The current test's backend. */
  public CoordinationBackend backend() {
    return fixture().backend();
  }

  /** The current test's first client, started on first use; the same object for the whole test. */
  public Cohort client() {
    CohortFixture f = fixture();
    synchronized (this) {
      if (client == null) {
        client = f.newClient();
      }
      return client;
    }
  }

  /** Another started client on the current test's backend: another process, in effect. */
  public Cohort newClient() {
    return fixture().newClient();
  }

  /**
   * Registers a history to check after the test (once its fixture is closed) and returns it. A
   * violation fails the test with the history's {@link HistoryViolation}.
   */
  public OwnershipHistory check(OwnershipHistory history) {
    addCheck(history::check);
    return history;
  }

  /** Registers a leadership history to check after the test, and returns it. */
  public LeadershipHistory check(LeadershipHistory history) {
    addCheck(history::check);
    return history;
  }

  /** Registers a job history to check after the test, and returns it. */
  public JobHistory check(JobHistory history) {
    addCheck(history::check);
    return history;
  }

  private void addCheck(Runnable check) {
    synchronized (checks) {
      checks.add(check);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (standsAside(context)) {
      return;
    }
    if (skipReason != null) {
      Assumptions.abort(skipReason);
    }
    BackendKind kind = configuredKind;
    int replicas = configuredReplicas;
    if (kind == null) {
      CohortTest config = findConfig(context).orElse(null);
      kind = config == null ? BackendKind.IN_MEMORY : config.backend();
      replicas = config == null ? 3 : config.replicas();
    }
    synchronized (checks) {
      checks.clear();
    }
    client = null;
    fixture = CohortFixture.of(kind, replicas);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (standsAside(context)) {
      return;
    }
    CohortFixture f = fixture;
    fixture = null;
    client = null;
    if (f != null) {
      f.close();
    }
    List<Runnable> toRun;
    synchronized (checks) {
      toRun = List.copyOf(checks);
      checks.clear();
    }
    // A test that already failed keeps its own failure; the histories would only add noise.
    if (context.getExecutionException().isEmpty()) {
      toRun.forEach(Runnable::run);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    if (standsAside(context)) {
      return false;
    }
    Class<?> type = parameter.getParameter().getType();
    return type == CohortFixture.class || type == Cohort.class || type == CoordinationBackend.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (fixture == null) {
      throw new ParameterResolutionException("a Cohort fixture exists only for test methods, not for "
          + parameter.getDeclaringExecutable());
    }
    Class<?> type = parameter.getParameter().getType();
    if (type == CohortFixture.class) {
      return fixture();
    }
    if (type == Cohort.class) {
      return client();
    }
    return backend();
  }

  /**
   * A class-wide extension ({@code @CohortTest} on the class, or a registered field) gives no
   * fixture to an {@link EveryBackendTest @EveryBackendTest} method: each of its runs has its own.
   */
  private boolean standsAside(ExtensionContext context) {
    return !run && context.getTestMethod().map(m -> m.isAnnotationPresent(EveryBackendTest.class)).orElse(false);
  }

  private static Optional<CohortTest> findConfig(ExtensionContext context) {
    Optional<CohortTest> onMethod = context.getTestMethod().flatMap(m -> annotation(m));
    if (onMethod.isPresent()) {
      return onMethod;
    }
    for (Class<?> c = context.getTestClass().orElse(null); c != null; c = c.getEnclosingClass()) {
      Optional<CohortTest> found = annotation(c);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Optional<CohortTest> annotation(AnnotatedElement element) {
    return Optional.ofNullable(Objects.requireNonNull(element).getAnnotation(CohortTest.class));
  }
}
