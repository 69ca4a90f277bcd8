package io.ferry.testing.leaks;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty reported a leak, and the test run if a leak shows only at
 * its end (when the resources shared by the whole run are closed). Registered for every test by
 * JUnit's extension auto-detection (see {@code META-INF/services} and {@code
 * junit-platform.properties} of test-support): no test opts in.
 */
public final class NettyLeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

  // JUnit instantiates auto-detected extensions before it initializes any test class, which is
  // the earliest point at which the recording detectors can replace Netty's own.
  static {
    NettyLeaks.install();
  }

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(NettyLeakDetectionExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    // Stored first in the root store, so closed last: after the run's shared resources.
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(EndOfRunCheck.class, key -> new EndOfRunCheck(), EndOfRunCheck.class);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    failOnLeaks("after " + context.getRequiredTestClass().getName());
  }

  static void failOnLeaks(String when) {
    List<LeakReport> leaks = NettyLeaks.detect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported "
              + leaks.size()
              + " leak(s) "
              + when
              + " (a leak shows when its object is garbage-collected, so it may come from an"
              + " earlier test class):\n"
              + leaks.stream().map(LeakReport::toString).collect(Collectors.joining("\n\n")));
    }
  }

  private static final class EndOfRunCheck implements AutoCloseable {
    @Override
    public void close() {
      failOnLeaks("at the end of the test run");
    }
  }
}
