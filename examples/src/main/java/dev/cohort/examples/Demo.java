package dev.cohort.examples;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.WatchEvent;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tour of the backend SPI on the in-memory backend: three service replicas register ephemeral
 * sequential nodes, the lowest is leader and holds the smallest fencing token, a watcher sees
 * membership change, and a replica whose session expires (on virtual time, instantly) disappears.
 */
public final class Demo {

  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  private Demo() {}

  public static void main(String[] args) throws InterruptedException {
    DemoResult result = run(System.out);
    System.exit(result.ok() ? 0 : 1);
  }

  /** What the tour observed, so a test can check the outcome rather than the text. */
  public record DemoResult(int membersBefore, int membersAfterExpiry, boolean watchFired, boolean typedErrorsSeen) {
    public boolean ok() {
      return membersBefore == 3 && membersAfterExpiry == 2 && watchFired && typedErrorsSeen;
    }
  }

  static DemoResult run(PrintStream out) throws InterruptedException {
    ManualTimeSource clock = new ManualTimeSource();
    try (CoordinationBackend backend = InMemoryBackend.builder().timeSource(clock).build()) {
      Session observer = open(backend);
      observer.create("/services", new byte[0], CreateMode.PERSISTENT).join();
      observer.create("/services/api", new byte[0], CreateMode.PERSISTENT).join();

      List<Session> replicas = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        Session session = open(backend);
        Created node = session
            .create("/services/api/replica-", utf8("10.0.0." + i + ":8080"), CreateMode.EPHEMERAL_SEQUENTIAL)
            .join();
        out.printf("replica %d registered %s (session %x, fencing token %d)%n",
            i, node.path(), session.id(), node.stat().czxid());
        replicas.add(session);
      }

      LinkedBlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
      List<String> members = observer.getChildren("/services/api", events::add).join().names();
      out.printf("observer sees %d members: %s%n", members.size(), sorted(members));
      out.printf("leader (lowest sequence): %s%n", sorted(members).get(0));

      Session first = replicas.get(0);
      InMemoryBackend inMemory = (InMemoryBackend) backend;
      inMemory.faults().disconnect(first);
      out.printf("replica 1 disconnected: state %s; advancing virtual time by %s%n",
          first.state(), SESSION_TIMEOUT.plusSeconds(1));
      clock.advance(SESSION_TIMEOUT.plusSeconds(1));
      inMemory.faults().reconnect(first);
      out.printf("replica 1 reconnects and learns: %s%n", first.state());

      WatchEvent event = events.poll(5, TimeUnit.SECONDS);
      out.printf("observer's watch fired: %s%n", event);
      List<String> after = observer.getChildren("/services/api").join().names();
      out.printf("observer now sees %d members; new leader: %s%n", after.size(), sorted(after).get(0));

      boolean typedErrors = showTypedErrors(observer, out);
      return new DemoResult(members.size(), after.size(), event != null, typedErrors);
    }
  }

  private static boolean showTypedErrors(Session session, PrintStream out) {
    boolean invalidPath = failsWith(session.create("/bad//path", new byte[0], CreateMode.PERSISTENT)
        .thenApply(c -> null), InvalidPathException.class, out);
    boolean badVersion = failsWith(session.setData("/services", utf8("x"), 41)
        .thenApply(s -> null), BadVersionException.class, out);
    return invalidPath && badVersion;
  }

  private static boolean failsWith(
      java.util.concurrent.CompletableFuture<Object> future, Class<? extends RuntimeException> type, PrintStream out) {
    try {
      future.join();
      return false;
    } catch (CompletionException e) {
      out.printf("typed error, as promised: %s%n", e.getCause());
      return type.isInstance(e.getCause());
    }
  }

  private static Session open(CoordinationBackend backend) {
    return backend.openSession(SessionConfig.withTimeout(SESSION_TIMEOUT)).join();
  }

  private static List<String> sorted(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    copy.sort(null);
    return copy;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
