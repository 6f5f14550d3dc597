package dev.cohort.examples;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Cohort demo: one program, one subcommand per story. With no subcommand it runs {@code jobs},
 * the main one: a replicated job system that loses no job while its workers, its scheduler and its
 * coordination service fail under it.
 *
 * <p>Exit codes: 0 when the story's outcome was reached (every job completed, balance restored...),
 * 1 when it was not, 2 for bad options (with a message saying which and why).
 */
@Command(name = "cohort-demo", mixinStandardHelpOptions = true, version = "Cohort demo 0.1.0",
    description = {"Cohort's coordination recipes at work, on an embedded replicated backend "
        + "(default) or a ZooKeeper ensemble (--zookeeper HOST:PORT).",
        "Without a subcommand, runs 'jobs' with its defaults."},
    subcommands = {JobsCommand.class, CapacityCommand.class, LeaderCommand.class, LocksCommand.class,
        PartitionsCommand.class, DiscoveryCommand.class})
public final class Demo implements Runnable {

  /** Runs the demo and exits with its code. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    String[] effective = args.length == 0 ? new String[] {"jobs"} : args;
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = commandLine(out, err).execute(effective);
    System.exit(code);
  }

  /** The command line, writing to {@code out} and {@code err}; tests run it without exiting. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Demo());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setOut(out);
    cmd.setErr(err);
    return cmd;
  }

  @Override
  public void run() {
    // "cohort-demo" with options but no subcommand: say what there is.
    throw new CommandLine.ParameterException(new CommandLine(this), "name a subcommand: jobs, capacity, "
        + "leader, locks, partitions or discovery (or run without arguments for 'jobs')");
  }
}
