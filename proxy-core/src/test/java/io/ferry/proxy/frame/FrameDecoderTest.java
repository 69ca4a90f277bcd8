package io.ferry.proxy.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024, false));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf request(int version, int streamId, int opcode, byte[] body) {
    ByteBuf frame = Unpooled.buffer();
    frame.writeByte(version).writeByte(0).writeShort(streamId).writeByte(opcode);
    frame.writeInt(body.length).writeBytes(body);
    return frame;
  }

  @Test
  void should_emit_whole_frames_from_fragments() {
    // given
    ByteBuf bytes = Unpooled.buffer();
    bytes.writeBytes(request(4, 7, 0x07, new byte[] {1, 2, 3}));
    bytes.writeBytes(request(4, 8, 0x05, new byte[0]));
    // when fed one byte at a time
    while (bytes.isReadable()) {
      channel.writeInbound(bytes.readRetainedSlice(1));
    }
    bytes.release();
    // then
    ByteBuf first = channel.readInbound();
    ByteBuf second = channel.readInbound();
    assertThat(Frames.streamId(first)).isEqualTo(7);
    assertThat(Frames.opcode(first)).isEqualTo(0x07);
    assertThat(Frames.bodyLength(first)).isEqualTo(3);
    assertThat(first.readableBytes()).isEqualTo(Frames.HEADER_LENGTH + 3);
    assertThat(Frames.streamId(second)).isEqualTo(8);
    assertThat(second.readableBytes()).isEqualTo(Frames.HEADER_LENGTH);
    first.release();
    second.release();
  }

  @Test
  void should_skip_an_oversized_frame_without_buffering_it_and_go_on() {
    // given a 2000-byte body (max 1024) followed by a normal frame
    ByteBuf oversized = request(4, 3, 0x07, new byte[2000]);
    ByteBuf next = request(4, 4, 0x07, new byte[] {9});
    // when
    channel.writeInbound(oversized.readRetainedSlice(100));
    channel.writeInbound(oversized);
    channel.writeInbound(next);
    // then
    FrameDecoder.OversizedFrame problem = channel.readInbound();
    assertThat(problem).isEqualTo(new FrameDecoder.OversizedFrame(4, 3, 0x07, 2000));
    ByteBuf frame = channel.readInbound();
    assertThat(Frames.streamId(frame)).isEqualTo(4);
    frame.release();
  }

  @Test
  void should_report_an_unsupported_version_from_the_first_byte() {
    // given a v2 client: 8-byte header
    ByteBuf v2 = Unpooled.buffer().writeByte(2).writeByte(0).writeByte(0).writeByte(1).writeInt(0);
    // when
    channel.writeInbound(v2);
    // then
    FrameDecoder.UnreadableStream problem = channel.readInbound();
    assertThat(problem.versionByte()).isEqualTo(2);
    assertThat((Object) channel.readInbound()).isNull();
  }

  @Test
  void should_ignore_everything_after_unreadable_bytes() {
    // given
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x84, 0, 0, 1, 7, 0, 0, 0, 0}));
    // when more valid bytes arrive
    channel.writeInbound(request(4, 1, 0x05, new byte[0]));
    // then
    assertThat((Object) channel.readInbound()).isInstanceOf(FrameDecoder.UnreadableStream.class);
    assertThat((Object) channel.readInbound()).isNull();
  }

  @Test
  void should_refuse_a_negative_body_length() {
    // when
    channel.writeInbound(
        Unpooled.buffer().writeByte(4).writeByte(0).writeShort(1).writeByte(7).writeInt(-5));
    // then
    FrameDecoder.UnreadableStream problem = channel.readInbound();
    assertThat(problem.reason()).contains("negative body length");
  }

  @Test
  void should_patch_the_stream_id_in_place_and_copy_a_header_for_a_second_destination() {
    // given
    channel.writeInbound(request(4, 42, 0x07, new byte[] {1, 2}));
    ByteBuf frame = channel.readInbound();
    // when
    ByteBuf header = Frames.copyHeader(channel.alloc(), frame, 1000);
    Frames.setStreamId(frame, 5);
    // then
    assertThat(Frames.streamId(frame)).isEqualTo(5);
    assertThat(header.getShort(2)).isEqualTo((short) 1000);
    assertThat(header.getInt(5)).isEqualTo(2);
    header.release();
    frame.release();
  }

  @Test
  void should_hold_only_the_bytes_received_of_a_frame_whose_header_announces_16_mib() {
    // given a decoder that accepts 16 MiB bodies, allocating from an allocator that counts
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
    EmbeddedChannel decoding = new EmbeddedChannel();
    decoding.config().setAllocator(allocator);
    FrameDecoder decoder = new FrameDecoder(16 * 1024 * 1024, false);
    decoding.pipeline().addLast(decoder);
    // when a client sends the header of a 16 MiB QUERY, then 1000 bytes of it, and stalls
    decoding.writeInbound(
        allocator
            .heapBuffer()
            .writeByte(4)
            .writeByte(0)
            .writeShort(1)
            .writeByte(7)
            .writeInt(16 << 20));
    decoding.writeInbound(allocator.heapBuffer().writeZero(1000));
    // then the decoder holds what was received (in a buffer of at most twice that), not what was
    // announced
    assertThat(decoder.bufferedBytes()).isEqualTo(Frames.HEADER_LENGTH + 1000);
    assertThat(decoder.holdsIncompleteFrame()).isTrue();
    assertThat(allocator.metric().usedHeapMemory()).isLessThanOrEqualTo(2 * 1009);
    assertThat((Object) decoding.readInbound()).isNull();
    decoding.finishAndReleaseAll();
    assertThat(allocator.metric().usedHeapMemory()).isZero();
  }

  @Test
  void should_skip_an_oversized_body_as_it_arrives_holding_none_of_it() {
    // given
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
    EmbeddedChannel decoding = new EmbeddedChannel();
    decoding.config().setAllocator(allocator);
    FrameDecoder decoder = new FrameDecoder(1024, false);
    decoding.pipeline().addLast(decoder);
    // when the header of a 255 MiB request arrives, then 8 MiB of its body, in 64 KiB reads
    decoding.writeInbound(
        Unpooled.buffer().writeByte(4).writeByte(0).writeShort(9).writeByte(7).writeInt(255 << 20));
    FrameDecoder.OversizedFrame refused = decoding.readInbound();
    for (int read = 0; read < 128; read++) {
      decoding.writeInbound(allocator.heapBuffer(65536).writeZero(65536));
      // then nothing of it is held
      assertThat(decoder.bufferedBytes()).isZero();
      assertThat(allocator.metric().usedHeapMemory()).isZero();
    }
    // and the request was refused on its header alone, the rest of it still to be skipped
    assertThat(refused).isEqualTo(new FrameDecoder.OversizedFrame(4, 9, 7, 255 << 20));
    assertThat(decoder.holdsIncompleteFrame()).isTrue();
    assertThat(decoder.framesDecoded()).isEqualTo(1);
    assertThat((Object) decoding.readInbound()).isNull();
    decoding.finishAndReleaseAll();
  }

  @Test
  void should_count_whole_frames_and_tell_an_incomplete_one() {
    // given
    ByteBuf bytes = request(4, 1, 0x05, new byte[0]).writeBytes(request(4, 2, 0x07, new byte[8]));
    // when all of the first frame and half of the second arrive
    channel.writeInbound(bytes.readRetainedSlice(Frames.HEADER_LENGTH + 4));
    FrameDecoder decoder = channel.pipeline().get(FrameDecoder.class);
    // then
    assertThat(decoder.framesDecoded()).isEqualTo(1);
    assertThat(decoder.holdsIncompleteFrame()).isTrue();
    assertThat(decoder.bufferedBytes()).isEqualTo(4);
    // when the rest arrives
    channel.writeInbound(bytes);
    // then
    assertThat(decoder.framesDecoded()).isEqualTo(2);
    assertThat(decoder.holdsIncompleteFrame()).isFalse();
    assertThat(decoder.bufferedBytes()).isZero();
  }
}
