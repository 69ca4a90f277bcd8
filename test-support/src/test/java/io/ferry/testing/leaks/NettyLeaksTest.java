package io.ferry.testing.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyLeaksTest {

  @BeforeEach
  void forgetEarlierLeaks() {
    NettyLeaks.detect();
  }

  @Test
  void should_be_installed_by_auto_detection_before_any_test_runs() {
    assertThat(NettyLeaks.isInstalled()).isTrue();
    assertThat(ResourceLeakDetectorFactory.instance())
        .isInstanceOf(RecordingLeakDetectorFactory.class);
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
  }

  @Test
  void should_record_a_leaked_buffer_with_where_it_was_created() {
    // given
    leakBuffer();

    // when
    List<LeakReport> leaks = NettyLeaks.detect();

    // then
    assertThat(leaks)
        .singleElement()
        .satisfies(
            leak -> {
              assertThat(leak.resourceType()).isEqualTo("ByteBuf");
              assertThat(leak.records())
                  .contains("Created at:")
                  .contains(NettyLeaksTest.class.getName() + ".leakBuffer");
            });
  }

  @Test
  void should_record_nothing_when_every_buffer_is_released() {
    // given
    ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
    buffer.writeInt(42);
    buffer.release();

    // when
    List<LeakReport> leaks = NettyLeaks.detect();

    // then
    assertThat(leaks).isEmpty();
  }

  @Test
  void should_fail_with_the_leak_records_when_a_buffer_leaked() {
    // given
    leakBuffer();

    // when / then
    assertThatThrownBy(() -> NettyLeakDetectionExtension.failOnLeaks("after SomeTest"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Netty reported 1 leak(s) after SomeTest")
        .hasMessageContaining("LEAK: ByteBuf.release() was not called")
        .hasMessageContaining(NettyLeaksTest.class.getName() + ".leakBuffer");
  }

  /** Returns nothing, so that the buffer is unreachable once the method returns. */
  private static void leakBuffer() {
    ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
    buffer.writeInt(42);
  }
}
