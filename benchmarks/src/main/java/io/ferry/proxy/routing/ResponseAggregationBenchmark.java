package io.ferry.proxy.routing;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.common.ClusterRole;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The choice of the answer a dual write returns, over a mix of outcomes (mostly both succeeded,
 * some errors on either side). The whole aggregation of real frames is in {@code
 * PipelineBenchmark.preparedWrite}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseAggregationBenchmark {

  private static final int[][] OUTCOMES = {
    {Opcode.EXECUTE, Opcode.RESULT, Opcode.RESULT},
    {Opcode.EXECUTE, Opcode.RESULT, Opcode.RESULT},
    {Opcode.EXECUTE, Opcode.RESULT, Opcode.RESULT},
    {Opcode.QUERY, Opcode.RESULT, Opcode.ERROR},
    {Opcode.PREPARE, Opcode.RESULT, Opcode.RESULT},
    {Opcode.BATCH, Opcode.ERROR, Opcode.RESULT},
    {Opcode.EXECUTE, Opcode.RESULT, Opcode.RESULT},
    {Opcode.BATCH, Opcode.RESULT, Opcode.RESULT}
  };

  private int next;

  @Benchmark
  public ClusterRole choose() {
    int[] outcome = OUTCOMES[next++ & 7];
    return ResponseAggregation.choose(outcome[0], outcome[1], outcome[2], ClusterRole.ORIGIN);
  }
}
