package dev.cohort.examples;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Option checks shared by the subcommands: a bad value is a clear message and exit code 2. */
final class CommonOptions {
  private CommonOptions() {}

  static void requireRange(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(spec.commandLine(),
          option + " must be in " + min + ".." + max + ", got " + value);
    }
  }
}
