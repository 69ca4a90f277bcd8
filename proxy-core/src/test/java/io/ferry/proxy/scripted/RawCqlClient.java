package io.ferry.proxy.scripted;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A blocking, byte-level CQL client: exact frames, including what real drivers never send. */
public final class RawCqlClient implements AutoCloseable {

  private static final MessageCodec CODEC = new MessageCodec(ByteBufAllocator.DEFAULT);

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public RawCqlClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 5000);
    socket.setSoTimeout(15000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  public void send(int version, int streamId, Message request) throws IOException {
    ByteBuf frame = CODEC.encodeRequest(version, streamId, request);
    try {
      sendRaw(frame);
    } finally {
      frame.release();
    }
  }

  public void sendRaw(ByteBuf bytes) throws IOException {
    byte[] array = new byte[bytes.readableBytes()];
    bytes.getBytes(bytes.readerIndex(), array);
    out.write(array);
    out.flush();
  }

  /** The next response frame, decoded. */
  public Frame receive() throws IOException {
    byte[] header = new byte[Frames.HEADER_LENGTH];
    in.readFully(header);
    int length = Unpooled.wrappedBuffer(header).getInt(5);
    byte[] body = new byte[length];
    in.readFully(body);
    ByteBuf frame = Unpooled.wrappedBuffer(header, body);
    return CODEC.decodeResponse(frame);
  }

  /** The client's end of the connection. */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Whether the server closed the connection (reads end of stream within the timeout). */
  public boolean isClosedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (EOFException e) {
      return true;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
