package dev.cohort.examples;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every subcommand shares: where to run, and the seed of every random choice. */
final class BackendOptions {

  /** The backend a demo runs on when not told otherwise. */
  static final DemoCluster.Kind DEFAULT_BACKEND = DemoCluster.Kind.REPLICATED;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--backend", paramLabel = "KIND",
      description = "Where to run: ${COMPLETION-CANDIDATES} (default: replicated — N replicas in this "
          + "JVM with real leader election and failover). --zookeeper implies zookeeper, --etcd etcd.")
  DemoCluster.Kind backend;

  @Option(names = "--zookeeper", paramLabel = "HOST:PORT[,HOST:PORT...][/chroot]",
      description = "Run on this ZooKeeper ensemble instead of the embedded backend.")
  String zookeeper;

  @Option(names = "--etcd", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Run on this etcd cluster (its client URLs, http) instead of the embedded backend.")
  String etcd;

  @Option(names = "--replicas", paramLabel = "N", defaultValue = "3",
      description = "Replicas of the embedded replicated backend: 1, 3, 5 or 7 (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
      description = "Seeds every random choice (faults, victims, timings) (default: ${DEFAULT-VALUE}).")
  long seed;

  /** Options as if given on the command line, for running scenarios from code (tests). */
  static BackendOptions of(DemoCluster.Kind kind, int replicas, long seed) {
    BackendOptions o = new BackendOptions();
    o.backend = kind;
    o.replicas = replicas;
    o.seed = seed;
    return o;
  }

  DemoCluster.Kind kind() {
    validate();
    if (zookeeper != null) {
      return DemoCluster.Kind.ZOOKEEPER;
    }
    if (etcd != null) {
      return DemoCluster.Kind.ETCD;
    }
    return backend == null ? DEFAULT_BACKEND : backend;
  }

  int replicas() {
    return replicas;
  }

  long seed() {
    return seed;
  }

  String zookeeper() {
    return zookeeper;
  }

  /** The etcd client URLs, {@code http://host:port} each. */
  String[] etcdEndpoints() {
    return java.util.Arrays.stream(etcd.split(",")).map(server -> "http://" + server).toArray(String[]::new);
  }

  /** Rejects contradictory or malformed options with a message picocli prints, exit code 2. */
  void validate() {
    if (replicas != 1 && replicas != 3 && replicas != 5 && replicas != 7) {
      throw new ParameterException(spec.commandLine(),
          "--replicas must be 1, 3, 5 or 7 (a majority must survive a failure), got " + replicas);
    }
    if (zookeeper != null && etcd != null) {
      throw new ParameterException(spec.commandLine(), "--zookeeper and --etcd cannot be combined");
    }
    if (etcd != null) {
      if (backend != null && backend != DemoCluster.Kind.ETCD) {
        throw new ParameterException(spec.commandLine(),
            "--etcd runs on etcd; it cannot be combined with --backend " + backend.name().toLowerCase());
      }
      checkHostPorts("--etcd", etcd);
    } else if (backend == DemoCluster.Kind.ETCD) {
      throw new ParameterException(spec.commandLine(), "--backend etcd needs --etcd HOST:PORT");
    }
    if (zookeeper != null) {
      if (backend != null && backend != DemoCluster.Kind.ZOOKEEPER) {
        throw new ParameterException(spec.commandLine(),
            "--zookeeper runs on ZooKeeper; it cannot be combined with --backend " + backend.name().toLowerCase());
      }
      // A chroot (ZooKeeper's "/path" after the servers) is the backend's to check.
      int slash = zookeeper.indexOf('/');
      checkHostPorts("--zookeeper", slash < 0 ? zookeeper : zookeeper.substring(0, slash));
    } else if (backend == DemoCluster.Kind.ZOOKEEPER) {
      throw new ParameterException(spec.commandLine(), "--backend zookeeper needs --zookeeper HOST:PORT");
    }
  }

  private void checkHostPorts(String option, String list) {
    for (String server : list.split(",")) {
      int colon = server.lastIndexOf(':');
      boolean ok = colon > 0 && colon < server.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(server.substring(colon + 1));
          ok = port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new ParameterException(spec.commandLine(),
            option + " wants HOST:PORT[,HOST:PORT...]" + ("--zookeeper".equals(option) ? "[/chroot]" : "")
                + ", got '" + list + "'");
      }
    }
  }
}
