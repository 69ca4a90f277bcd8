package io.ferry.testing.cassandra;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link CassandraClusters} parameters (of constructors, lifecycle and test methods),
 * starting origin and target at the first request of a class that needs them ({@link
 * WithCassandraClusters#sharedNodes()}) and sharing them with every test class of the run; JUnit
 * closes them when the run ends. Use it through {@link WithCassandraClusters}.
 */
public final class CassandraClustersExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(CassandraClustersExtension.class);

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == CassandraClusters.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    // The root store lives as long as the run and closes its AutoCloseable values at the end.
    CassandraClusters clusters =
        extensionContext
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                CassandraClusters.class,
                key -> CassandraClusters.create(CassandraClusters.newRunDirectory()),
                CassandraClusters.class);
    WithCassandraClusters annotation =
        extensionContext.getRequiredTestClass().getAnnotation(WithCassandraClusters.class);
    if (annotation == null || annotation.sharedNodes()) {
      clusters.startSharedNodes();
    }
    return clusters;
  }
}
