package io.ferry.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackendConnectionTest {

  private EmbeddedChannel channel;
  private BackendConnection connection;
  private final List<Object> answered = new ArrayList<>();
  private final List<String> closed = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double gauge(String name) {
    return registry.get(name).tag("node", "10.0.0.1:9042").gauge().value();
  }

  @BeforeEach
  void open() {
    channel = new EmbeddedChannel();
    connection =
        new BackendConnection(
            channel,
            new BackendConnection.Options(
                ClusterRole.TARGET,
                "[test]",
                4,
                2,
                4,
                Duration.ofSeconds(10),
                Duration.ofMillis(100),
                new ProxyMetrics(registry, "zdm", List.of(), List.of(), List.of(), () -> 0, () -> 0)
                    .node(ClusterRole.TARGET, "10.0.0.1:9042"),
                Optional.empty()));
    channel.pipeline().addLast(connection);
    connection.setListener(
        new BackendConnection.Listener() {
          @Override
          public void onClosed(BackendConnection c, String reason) {
            closed.add(reason);
          }
        });
  }

  /** A request that records its name when answered. */
  private RequestContext request(Object name) {
    return (from, frame) -> {
      answered.add(name);
      frame.release();
    };
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf response(int streamId) {
    return Unpooled.buffer()
        .writeByte(0x84)
        .writeByte(0)
        .writeShort(streamId)
        .writeByte(ProtocolConstants.Opcode.READY)
        .writeInt(0);
  }

  @Test
  void should_hand_a_response_to_the_request_its_stream_id_was_reserved_for() {
    // given
    int first = connection.reserve(request("first"));
    int second = connection.reserve(request("second"));
    // when
    channel.writeInbound(response(second));
    channel.writeInbound(response(first));
    // then
    assertThat(answered).containsExactly("second", "first");
    assertThat(connection.streamIdsInUse()).isZero();
  }

  @Test
  void should_keep_an_orphans_id_until_its_late_answer_then_drop_the_answer() {
    // given
    int id = connection.reserve(request("timed out"));
    // when
    connection.orphan(id);
    // then
    assertThat(connection.streamIdsInUse()).isEqualTo(1);
    assertThat(connection.orphans()).isEqualTo(1);
    assertThat(gauge("zdm_target_used_stream_ids_total")).isEqualTo(1);
    assertThat(gauge("zdm_target_orphaned_stream_ids")).isEqualTo(1);
    // when the late answer arrives
    channel.writeInbound(response(id));
    // then
    assertThat(answered).isEmpty();
    assertThat(connection.streamIdsInUse()).isZero();
    assertThat(connection.orphans()).isZero();
    assertThat(gauge("zdm_target_used_stream_ids_total")).isZero();
    assertThat(gauge("zdm_target_orphaned_stream_ids")).isZero();
  }

  @Test
  void should_close_the_connection_when_too_many_requests_go_unanswered() {
    // given a limit of 2 orphans
    int a = connection.reserve(request("a"));
    int b = connection.reserve(request("b"));
    int c = connection.reserve(request("c"));
    // when
    connection.orphan(a);
    connection.orphan(b);
    assertThat(channel.isOpen()).isTrue();
    connection.orphan(c);
    // then
    assertThat(channel.isOpen()).isFalse();
    assertThat(closed).singleElement().asString().contains("3 requests without an answer");
    // and the ids died with the connection
    assertThat(gauge("zdm_target_used_stream_ids_total")).isZero();
    assertThat(gauge("zdm_target_orphaned_stream_ids")).isZero();
    assertThat(gauge("zdm_target_connections_total")).isZero();
  }

  @Test
  void should_refuse_a_reservation_when_every_id_is_in_use() {
    // given
    for (int i = 0; i < 4; i++) {
      assertThat(connection.reserve(request(i))).isNotNegative();
    }
    // then
    assertThat(connection.reserve(request("one too many"))).isEqualTo(-1);
  }

  @Test
  void should_send_a_heartbeat_when_idle_and_close_if_it_is_not_answered() throws Exception {
    // when nothing was written for the interval
    Thread.sleep(150);
    channel.runPendingTasks();
    // then an OPTIONS went out on an id of the pool
    ByteBuf heartbeat = channel.readOutbound();
    assertThat(Frames.opcode(heartbeat)).isEqualTo(ProtocolConstants.Opcode.OPTIONS);
    assertThat(Frames.version(heartbeat)).isEqualTo(4);
    int id = Frames.streamId(heartbeat);
    heartbeat.release();
    assertThat(connection.streamIdsInUse()).isEqualTo(1);
    // when it is answered, its id is free again and nothing reaches the client
    channel.writeInbound(response(id));
    assertThat(connection.streamIdsInUse()).isZero();
    assertThat(answered).isEmpty();
    // when the next heartbeat gets no answer within an interval
    Thread.sleep(150);
    channel.runPendingTasks();
    ((ByteBuf) channel.readOutbound()).release();
    Thread.sleep(150);
    channel.runPendingTasks();
    // then the node is considered unresponsive
    assertThat(channel.isOpen()).isFalse();
    assertThat(closed).singleElement().asString().contains("no answer to a heartbeat");
  }

  @Test
  void should_drop_a_response_nobody_waits_for() {
    // when
    channel.writeInbound(response(3));
    // then
    assertThat(answered).isEmpty();
    assertThat(channel.isOpen()).isTrue();
  }
}
