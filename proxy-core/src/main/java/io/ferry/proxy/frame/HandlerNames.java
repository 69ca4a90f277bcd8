package io.ferry.proxy.frame;

/**
 * The names of the handlers in every Ferry pipeline, client-facing and backend alike, declared
 * once. In inbound order: {@code tls}, {@code segmentDecoder}/{@code segmentEncoder} (v5, once the
 * handshake answer passed), {@code frameDecoder}, {@code decompressor} (v3/v4 with compression),
 * {@code compressor}, then the connection's own handler, {@code client} or {@code backend}.
 */
public final class HandlerNames {

  public static final String TLS = "tls";
  public static final String SEGMENT_DECODER = "segmentDecoder";
  public static final String SEGMENT_ENCODER = "segmentEncoder";
  public static final String FRAME_DECODER = "frameDecoder";
  public static final String DECOMPRESSOR = "decompressor";
  public static final String COMPRESSOR = "compressor";

  /** A client connection's handler: {@code ClientConnection}, or {@code ConnectionLimit}. */
  public static final String CLIENT = "client";

  /** A backend connection's handler: {@code BackendConnection}. */
  public static final String BACKEND = "backend";

  private HandlerNames() {}
}
