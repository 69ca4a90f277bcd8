package io.ferry.testing.leaks;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;

/** Creates detectors that hand every leak report to {@link NettyLeaks} as well as to the log. */
final class RecordingLeakDetectorFactory extends ResourceLeakDetectorFactory {

  @Override
  public <T> ResourceLeakDetector<T> newResourceLeakDetector(
      Class<T> resource, int samplingInterval) {
    RecordingLeakDetector<T> detector = new RecordingLeakDetector<>(resource, samplingInterval);
    NettyLeaks.register(detector);
    return detector;
  }

  @Override
  @Deprecated
  public <T> ResourceLeakDetector<T> newResourceLeakDetector(
      Class<T> resource, int samplingInterval, long maxActive) {
    // maxActive is ignored by Netty itself since 4.1; only the abstract signature keeps it alive.
    return newResourceLeakDetector(resource, samplingInterval);
  }

  static final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
      super(resourceType, samplingInterval);
    }

    /**
     * Makes the detector look at the objects garbage-collected since it last looked, which Netty
     * does only when a new object is tracked.
     */
    @SuppressWarnings("unchecked")
    void poll() {
      Object probe = new Object();
      ResourceLeakTracker<Object> tracker =
          ((ResourceLeakDetector<Object>) (ResourceLeakDetector<?>) this).trackForcibly(probe);
      tracker.close(probe);
    }

    // Netty skips reporting when its logger has ERROR off; the tests must see leaks regardless.
    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      NettyLeaks.record(new LeakReport(resourceType, records));
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      NettyLeaks.record(new LeakReport(resourceType, ""));
      super.reportUntracedLeak(resourceType);
    }
  }
}
