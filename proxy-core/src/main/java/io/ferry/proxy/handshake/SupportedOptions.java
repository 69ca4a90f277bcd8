package io.ferry.proxy.handshake;

import com.datastax.oss.protocol.internal.response.Supported;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.session.ProxyContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SUPPORTED answer to a client's OPTIONS, given by Ferry itself: target's options (the cluster
 * clients end up on), with only the compression algorithms and protocol versions that work through
 * Ferry to both clusters.
 */
public final class SupportedOptions {

  /** Compression Ferry handles (frames in v3/v4; LZ4 segments in v5). */
  static final List<String> FERRY_COMPRESSION =
      List.of(Compression.LZ4.option(), Compression.SNAPPY.option());

  private SupportedOptions() {}

  /** Ferry's SUPPORTED, from what both clusters' control connections learned. */
  public static Supported of(ProxyContext context) {
    return of(
        context.topology(ClusterRole.ORIGIN),
        context.topology(ClusterRole.TARGET),
        ProtocolNegotiation.of(context));
  }

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
   * @param version the protocol version of the STARTUP
   */
  public static String refuseStartup(
      Map<String, String> startupOptions,
      int version,
      ClusterTopology origin,
      ClusterTopology target) {
    String requested = startupOptions.get("COMPRESSION");
    if (requested == null || requested.isEmpty()) {
      return null;
    }
    Compression compression = Compression.fromOption(requested);
    if (compression == null) {
      return "Unknown compression algorithm " + requested + ": Ferry supports lz4 and snappy";
    }
    if (version == ProtocolVersion.V5.code() && compression != Compression.LZ4) {
      return "Protocol v5 compresses segments with lz4 only, not " + requested;
    }
    for (ClusterTopology cluster : List.of(origin, target)) {
      if (!cluster
          .supported()
          .getOrDefault("COMPRESSION", List.of())
          .contains(compression.option())) {
        return "Compression "
            + requested
            + " is not supported by "
            + cluster.role().id()
            + ", so Ferry cannot use it: choose one of the algorithms in SUPPORTED or none";
      }
    }
    return null;
  }
}
