package dev.cohort.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Turns an {@link EveryBackendTest @EveryBackendTest} method into one run per backend. Each run
 * carries a {@link CohortExtension} of its own, fixed to that run's backend, which makes and closes
 * the run's fixture and resolves its parameters; a run that cannot go ahead carries the reason,
 * and its extension aborts it before a fixture is made.
 */
final class EveryBackendExtension implements TestTemplateInvocationContextProvider {

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.isAnnotationPresent(EveryBackendTest.class)).orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    EveryBackendTest config = context.getRequiredTestMethod().getAnnotation(EveryBackendTest.class);
    if (config.backends().length == 0) {
      throw new ExtensionConfigurationException("@EveryBackendTest on " + context.getRequiredTestMethod()
          + " names no backend");
    }
    try {
      CohortFixture.requireReplicaCount(config.replicas());
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException("@EveryBackendTest on " + context.getRequiredTestMethod()
          + ": " + e.getMessage(), e);
    }
    Set<Fault> required = config.requires().length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(config.requires()));
    List<TestTemplateInvocationContext> runs = new ArrayList<>();
    for (BackendKind kind : EnumSet.copyOf(Arrays.asList(config.backends()))) {
      runs.add(new Run(kind, config.replicas(), skipReason(kind, required)));
    }
    return runs.stream();
  }

  private static Optional<String> skipReason(BackendKind kind, Set<Fault> required) {
    Set<Fault> missing = EnumSet.noneOf(Fault.class);
    missing.addAll(required);
    missing.removeAll(Engines.faultsOf(kind));
    if (!missing.isEmpty()) {
      return Optional.of("the " + kind + " fixture does not offer " + missing
          + " (it offers " + Engines.faultsOf(kind) + ")");
    }
    return Engines.unavailable(kind);
  }

  private record Run(BackendKind kind, int replicas, Optional<String> skipReason)
      implements TestTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return Engines.label(kind, replicas);
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(CohortExtension.forRun(kind, replicas, skipReason.orElse(null)));
    }
  }
}
