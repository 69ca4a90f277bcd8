package io.ferry.testing.leaks;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the leaks that Netty reports in this JVM. {@link NettyLeakDetectionExtension} installs
 * it and fails a test class that leaked; a test can also call {@link #detect()} itself.
 */
public final class NettyLeaks {

  private static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";
  private static final String LEGACY_LEVEL_PROPERTY = "io.netty.leakDetectionLevel";
  private static final int GARBAGE_COLLECTION_ROUNDS = 3;
  private static final long ENQUEUE_WAIT_MILLIS = 20;

  private static final Queue<LeakReport> REPORTS = new ConcurrentLinkedQueue<>();
  private static final List<RecordingLeakDetectorFactory.RecordingLeakDetector<?>> DETECTORS =
      new CopyOnWriteArrayList<>();
  private static boolean installed;

  private NettyLeaks() {}

  /**
   * Makes every leak detector created from now on report here. Netty creates most detectors once,
   * when a class such as {@code AbstractByteBuf} is initialized, so this must run before any test
   * touches Netty. Idempotent.
   */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    // The build sets paranoid; a test started from an IDE gets it too unless it chose a level.
    if (System.getProperty(LEVEL_PROPERTY) == null
        && System.getProperty(LEGACY_LEVEL_PROPERTY) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingLeakDetectorFactory());
    installed = true;
  }

  public static synchronized boolean isInstalled() {
    return installed;
  }

  /**
   * Collects garbage, lets every detector report what was collected unreleased, then returns and
   * forgets every leak recorded so far. A leak shows only once its object is garbage-collected, so
   * it may come from an earlier test than the one running.
   */
  public static List<LeakReport> detect() {
    for (int round = 0; round < GARBAGE_COLLECTION_ROUNDS; round++) {
      System.gc();
      try {
        // Cleared references reach the detectors' queues through the Reference Handler thread.
        Thread.sleep(ENQUEUE_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      DETECTORS.forEach(RecordingLeakDetectorFactory.RecordingLeakDetector::poll);
    }
    List<LeakReport> reports = new ArrayList<>();
    for (LeakReport report = REPORTS.poll(); report != null; report = REPORTS.poll()) {
      reports.add(report);
    }
    return reports;
  }

  static void register(RecordingLeakDetectorFactory.RecordingLeakDetector<?> detector) {
    DETECTORS.add(detector);
  }

  static void record(LeakReport report) {
    REPORTS.add(report);
  }
}
