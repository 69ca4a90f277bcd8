package io.ferry.proxy.handshake;

import com.datastax.oss.protocol.internal.response.Supported;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.frame.ProtocolVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SUPPORTED answer to a client's OPTIONS, given by Ferry itself: target's options (the cluster
 * clients end up on), with only the compression algorithms and protocol versions that work through
 * Ferry to both clusters.
 */
public final class SupportedOptions {

  /** Frame compression Ferry can handle; none yet, so drivers are not offered any. */
  static final List<String> FERRY_COMPRESSION = List.of();

  private SupportedOptions() {}

  public static Supported of(
      ClusterTopology origin, ClusterTopology target, ProtocolNegotiation negotiation) {
    Map<String, List<String>> options = new HashMap<>(target.supported());
    List<String> originCompression = origin.supported().getOrDefault("COMPRESSION", List.of());
    List<String> targetCompression = target.supported().getOrDefault("COMPRESSION", List.of());
    options.put(
        "COMPRESSION",
        FERRY_COMPRESSION.stream()
            .filter(originCompression::contains)
            .filter(targetCompression::contains)
            .toList());
    if (options.containsKey("PROTOCOL_VERSIONS")) {
      options.put(
          "PROTOCOL_VERSIONS",
          negotiation.accepted().stream().map(ProtocolVersion::displayName).toList());
    }
    return new Supported(options);
  }

  /**
   * Why a STARTUP cannot be accepted, or {@code null} if it can.
   *
   * @param startupOptions the client's STARTUP options
   */
  public static String refuseStartup(Map<String, String> startupOptions) {
    String compression = startupOptions.get("COMPRESSION");
    if (compression != null && !FERRY_COMPRESSION.contains(compression)) {
      return "Ferry does not support frame compression ("
          + compression
          + ") yet: turn compression off in the driver";
    }
    return null;
  }
}
