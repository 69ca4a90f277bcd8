package io.ferry.benchmarks.load;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Startup;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Many idle client connections through one Ferry: what they cost in memory and backend connections,
 * and whether a probe request still gets through at the same speed. The idle clients are raw
 * sockets that complete the CQL handshake (STARTUP, READY) and then say nothing, as the pooled
 * connections of a quiet application do.
 */
final class ConnectionScale {

  /** What was measured. Memory in bytes, latencies in microseconds. */
  record Result(
      int clients,
      long rssIdleBytes,
      long rssWithClientsBytes,
      long rssPerClientBytes,
      int backendConnectionsIdle,
      int backendConnectionsWithClients,
      double probeP50IdleMicros,
      double probeP99IdleMicros,
      double probeP50WithClientsMicros,
      double probeP99WithClientsMicros,
      double handshakeSeconds) {}

  private static final int PROBES = 2000;

  private ConnectionScale() {}

  static Result measure(Hops.Hop ferry, int clients) {
    InetSocketAddress ferryAddress = ferry.address();
    try (CqlSession probe = BenchClient.connect(ferryAddress)) {
      PreparedStatement select = probe.prepare(Schema.select(RowSize.SMALL));
      probe(probe, select, PROBES); // warm-up
      System.gc();
      LoadRun.sleep(Duration.ofSeconds(2));
      Histogram idle = probe(probe, select, PROBES);
      long rssIdle = ferry.process().stats().rssBytes();
      int backendIdle = backendConnections(ferry);

      List<SocketChannel> sockets = new ArrayList<>();
      long start = System.nanoTime();
      try {
        ByteBuf startup =
            new MessageCodec(ByteBufAllocator.DEFAULT)
                .encodeRequest(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0")));
        byte[] startupBytes = new byte[startup.readableBytes()];
        startup.readBytes(startupBytes);
        startup.release();
        for (int i = 0; i < clients; i++) {
          sockets.add(handshake(ferryAddress, startupBytes));
        }
        double handshakeSeconds = (System.nanoTime() - start) / 1e9;
        LoadRun.sleep(Duration.ofSeconds(3));
        Histogram busy = probe(probe, select, PROBES);
        long rssWithClients = ferry.process().stats().rssBytes();
        int backendWithClients = backendConnections(ferry);
        return new Result(
            clients,
            rssIdle,
            rssWithClients,
            (rssWithClients - rssIdle) / clients,
            backendIdle,
            backendWithClients,
            idle.getValueAtPercentile(50) / 1e3,
            idle.getValueAtPercentile(99) / 1e3,
            busy.getValueAtPercentile(50) / 1e3,
            busy.getValueAtPercentile(99) / 1e3,
            handshakeSeconds);
      } finally {
        for (SocketChannel socket : sockets) {
          try {
            socket.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      }
    }
  }

  /** Sequential reads, one at a time: the latency of a lone request. */
  private static Histogram probe(CqlSession session, PreparedStatement select, int count) {
    Histogram histogram = new Histogram(3);
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      session.execute(select.bind((long) i));
      histogram.recordValue(System.nanoTime() - start);
    }
    return histogram;
  }

  private static SocketChannel handshake(InetSocketAddress address, byte[] startup) {
    try {
      SocketChannel socket = SocketChannel.open(address);
      socket.write(ByteBuffer.wrap(startup));
      ByteBuffer header = ByteBuffer.allocate(9);
      while (header.hasRemaining()) {
        if (socket.read(header) < 0) {
          throw new IOException("Ferry closed the connection during the handshake");
        }
      }
      int opcode = header.get(4);
      ByteBuffer body = ByteBuffer.allocate(header.getInt(5));
      while (body.hasRemaining()) {
        if (socket.read(body) < 0) {
          throw new IOException("Ferry closed the connection during the handshake");
        }
      }
      if (opcode != ProtocolConstants.Opcode.READY) {
        throw new IOException("Ferry answered STARTUP with opcode " + opcode + ", not READY");
      }
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Open cluster connections, from Ferry's own gauges. */
  private static int backendConnections(Hops.Hop ferry) {
    Map<String, Double> metrics = ferry.scrapeMetrics();
    return (int)
        (Hops.Hop.sum(metrics, "zdm_origin_connections_total", "")
            + Hops.Hop.sum(metrics, "zdm_target_connections_total", ""));
  }
}
