package io.ferry.proxy.routing;

import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.cql.StatementClassifier;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CQL classifier on the statements real applications send as QUERY or PREPARE, lexed straight
 * from the frame's bytes as the client connection does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClassifierBenchmark {

  @Param({
    "SELECT name, email, created_at FROM shop.customers WHERE customer_id = ?",
    "INSERT INTO shop.orders (order_id, customer_id, total, created_at) VALUES (?, ?, ?, toTimestamp(now())) USING TTL 86400",
    "UPDATE shop.carts SET items = items + ? WHERE cart_id = ? IF EXISTS",
    "BEGIN UNLOGGED BATCH INSERT INTO shop.events (k, c, v) VALUES (1, 1, 0x00); INSERT INTO shop.events (k, c, v) VALUES (1, 2, 0x00); APPLY BATCH",
    "SELECT * FROM system.peers",
    "/* app: checkout */ select count(*) from \"Shop\".\"Orders\" where customer_id = 'c-1' and created_at > '2026-01-01' allow filtering"
  })
  public String statement;

  private ByteBuf utf8;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = statement.getBytes(StandardCharsets.UTF_8);
    utf8 = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    utf8.release();
  }

  @Benchmark
  public CqlStatement classify() {
    return StatementClassifier.classify(utf8, utf8.readerIndex(), utf8.readableBytes());
  }
}
