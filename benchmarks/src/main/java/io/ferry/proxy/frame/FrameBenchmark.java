package io.ferry.proxy.frame;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-frame work of every forwarded request: reading the header fields routing needs, patching
 * the stream id in place, and cutting frames out of a received buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameBenchmark {

  /** Frames per received buffer in {@link #decodeBatch}: a busy connection's read. */
  private static final int FRAMES_PER_READ = 16;

  private ByteBuf frame;
  private ByteBuf read;
  private EmbeddedChannel decoder;
  private int streamId;

  @Setup(Level.Trial)
  public void setUp() {
    MessageCodec codec = new MessageCodec(ByteBufAllocator.DEFAULT);
    ByteBuf encoded =
        codec.encodeRequest(
            4,
            7,
            new Execute(
                new byte[16],
                new QueryOptions(
                    ProtocolConstants.ConsistencyLevel.LOCAL_ONE,
                    List.of(ByteBuffer.allocate(8).putLong(0, 42)),
                    Map.of(),
                    true,
                    5000,
                    null,
                    ProtocolConstants.ConsistencyLevel.SERIAL,
                    1_763_700_000_000_000L,
                    null,
                    QueryOptions.NO_NOW_IN_SECONDS)));
    frame = Unpooled.directBuffer(encoded.readableBytes()).writeBytes(encoded);
    encoded.release();
    // pooled, as socket reads are: the slices cut from it are recycled as in production
    read = PooledByteBufAllocator.DEFAULT.directBuffer(frame.readableBytes() * FRAMES_PER_READ);
    for (int i = 0; i < FRAMES_PER_READ; i++) {
      read.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
    }
    decoder = new EmbeddedChannel(new FrameDecoder(256 << 20, false));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    frame.release();
    read.release();
    decoder.finishAndReleaseAll();
  }

  /** Version, flags, stream id, opcode and body length, as the client connection reads them. */
  @Benchmark
  public int headerDecode() {
    return Frames.version(frame)
        + Frames.flags(frame)
        + Frames.streamId(frame)
        + Frames.opcode(frame)
        + Frames.bodyLength(frame);
  }

  /** The stream id rewrite of a forwarded frame, in place. */
  @Benchmark
  public void streamIdPatch() {
    streamId = (streamId + 1) & 0x7FFF;
    Frames.setStreamId(frame, streamId);
  }

  /** Sixteen frames cut out of one read: per-frame cost is the score divided by 16. */
  @Benchmark
  public void decodeBatch(Blackhole blackhole) {
    decoder.writeInbound(read.retainedDuplicate());
    ByteBuf decoded;
    while ((decoded = decoder.readInbound()) != null) {
      blackhole.consume(Frames.streamId(decoded));
      decoded.release();
    }
  }
}
