package io.ferry.proxy.segment;

import static io.ferry.proxy.segment.NativeProtocolSegments.compressibleText;
import static io.ferry.proxy.segment.NativeProtocolSegments.describe;
import static io.ferry.proxy.segment.NativeProtocolSegments.incompressibleText;
import static io.ferry.proxy.segment.NativeProtocolSegments.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.Frame;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ferry's segment handlers against the DataStax native-protocol library's segment codec, which the
 * Java driver uses: each side decodes what the other encodes.
 */
class SegmentInteroperabilityTest {

  @RegisterExtension final OpenChannels channels = new OpenChannels();

  /** Frames to send, and the self-contained flag of each segment that carries them. */
  private record Exchange(String name, List<Frame> frames, List<Boolean> selfContained) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final int LARGE = 300_000;

  static Stream<Arguments> exchanges() {
    List<Arguments> arguments = new ArrayList<>();
    for (SegmentCompression compression : SegmentCompression.values()) {
      for (boolean compressible : new boolean[] {true, false}) {
        IntFunction<String> text =
            length -> compressible ? compressibleText(length) : incompressibleText(length, length);
        String content = compressible ? "compressible" : "incompressible";
        List<Exchange> exchanges =
            List.of(
                new Exchange("one small frame", List.of(query(1, text.apply(40))), List.of(true)),
                new Exchange(
                    "many small frames in one segment",
                    IntStream.range(0, 200).mapToObj(i -> query(i, text.apply(100 + i))).toList(),
                    List.of(true)),
                new Exchange(
                    "small frames filling several segments",
                    IntStream.range(0, 300).mapToObj(i -> query(i, text.apply(1000))).toList(),
                    List.of(true, true, true)),
                new Exchange(
                    "a frame of 300 KB split over segments",
                    List.of(query(7, text.apply(LARGE))),
                    List.of(false, false, false)),
                new Exchange(
                    "small frames around a large one",
                    List.of(
                        query(1, text.apply(10)),
                        query(2, text.apply(LARGE)),
                        query(3, text.apply(20))),
                    List.of(true, false, false, false, true)));
        for (Exchange exchange : exchanges) {
          arguments.add(Arguments.of(compression, content, exchange));
        }
      }
    }
    return arguments.stream();
  }

  @ParameterizedTest(name = "{0}, {1}: {2}")
  @MethodSource("exchanges")
  void should_decode_into_the_frames_sent_what_the_native_protocol_library_encodes(
      SegmentCompression compression, String content, Exchange exchange) {
    // given
    EmbeddedChannel channel =
        channels.open(new SegmentDecoder(compression), new FrameDecoder(Integer.MAX_VALUE, false));
    ByteBuf stream = NativeProtocolSegments.encodeSegments(compression, exchange.frames());
    // when the bytes arrive in reads that do not match segment boundaries
    while (stream.isReadable()) {
      channel.writeInbound(stream.readRetainedSlice(Math.min(7919, stream.readableBytes())));
    }
    stream.release();
    // then
    List<Frame> received = new ArrayList<>();
    for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
      assertThat(message).isInstanceOf(ByteBuf.class);
      received.add(NativeProtocolSegments.decodeFrame((ByteBuf) message));
    }
    // In any order: the library sends a large frame as soon as it is added, ahead of the small
    // frames it still holds for the next self-contained segment.
    assertThat(describe(received)).containsExactlyInAnyOrderElementsOf(describe(exchange.frames()));
    assertThat(channel.finish()).isFalse();
  }

  @ParameterizedTest(name = "{0}, {1}: {2}")
  @MethodSource("exchanges")
  void should_encode_what_the_native_protocol_library_decodes_into_the_frames_written(
      SegmentCompression compression, String content, Exchange exchange) throws Exception {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(compression));
    // when each frame is written as a header, then a body, and all are flushed at once
    for (Frame frame : exchange.frames()) {
      ByteBuf bytes = NativeProtocolSegments.encode(frame);
      channel.write(bytes.readRetainedSlice(Frames.HEADER_LENGTH));
      channel.write(bytes.readRetainedSlice(bytes.readableBytes()));
      bytes.release();
    }
    channel.flush();
    // then
    CompositeByteBuf stream = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    for (ByteBuf segment = channel.readOutbound();
        segment != null;
        segment = channel.readOutbound()) {
      stream.addComponent(true, segment);
    }
    NativeProtocolSegments.Decoded decoded =
        NativeProtocolSegments.decodeSegments(compression, stream);
    assertThat(describe(decoded.frames())).isEqualTo(describe(exchange.frames()));
    assertThat(decoded.selfContained()).isEqualTo(exchange.selfContained());
    assertThat(decoded.payloadLengths()).allMatch(length -> length <= 131_071);
    if (compression == SegmentCompression.LZ4 && content.equals("compressible")) {
      // LZ4 cannot shrink a few dozen bytes, but anything larger of this text
      assertThat(decoded.segments())
          .filteredOn(segment -> segment.payload().length > 1000)
          .allMatch(segment -> segment.header().uncompressedPayloadLength > 0);
    }
    assertThat(channel.finish()).isFalse();
  }
}
