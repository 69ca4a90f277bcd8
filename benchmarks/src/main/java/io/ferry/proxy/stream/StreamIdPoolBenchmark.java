package io.ferry.proxy.stream;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One acquire and one release of a stream id, with a given number of ids already in use (requests
 * in flight on the connection), released out of order as answers arrive.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StreamIdPoolBenchmark {

  @Param({"0", "64", "1900"})
  public int inFlight;

  private StreamIdPool pool;
  private int[] held;
  private int oldest;

  @Setup(Level.Trial)
  public void setUp() {
    pool = new StreamIdPool(2048);
    held = new int[Math.max(1, inFlight)];
    for (int i = 0; i < inFlight; i++) {
      held[i] = pool.acquire();
    }
  }

  @Benchmark
  public int acquireAndRelease() {
    int id = pool.acquire();
    if (inFlight == 0) {
      pool.release(id);
      return id;
    }
    // answers come back in another order than requests went out: release a held id, hold the new
    int slot = oldest;
    oldest = (oldest + 7) % held.length;
    pool.release(held[slot]);
    held[slot] = id;
    return id;
  }
}
