package io.ferry.proxy.handshake;

import com.datastax.oss.protocol.internal.response.Error;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ProxySettings.ProtocolSettings;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.session.ProxyContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Which protocol versions clients may use: those Ferry speaks that both clusters accept. A client
 * asking for another one gets the PROTOCOL_ERROR drivers react to by retrying one version lower
 * (for example the "v5 downgrade": Cassandra 5 speaks v5, Ferry forces the client down to v4).
 *
 * @param highest the highest version accepted
 */
public record ProtocolNegotiation(ProtocolVersion highest, ProtocolSettings settings) {

  /**
   * From the versions both control connections negotiated (each capped at what Ferry speaks) and
   * Ferry's own policy (v5 downgrade, blocked versions).
   */
  public static ProtocolNegotiation of(
      ClusterTopology origin, ClusterTopology target, ProtocolSettings settings) {
    ProtocolVersion highest = ProtocolVersion.HIGHEST_SUPPORTED;
    for (ClusterTopology cluster : List.of(origin, target)) {
      if (highest.isHigherThan(cluster.protocolVersion())) {
        highest = cluster.protocolVersion();
      }
    }
    return new ProtocolNegotiation(highest, settings);
  }

  /** What the clients of this instance may use now. */
  public static ProtocolNegotiation of(ProxyContext context) {
    return of(
        context.topology(ClusterRole.ORIGIN),
        context.topology(ClusterRole.TARGET),
        context.settings().protocol());
  }

  public boolean accepts(int versionCode) {
    ProtocolVersion version = ProtocolVersion.fromCode(versionCode);
    return version != null
        && version.isSupportedByFerry()
        && !version.isHigherThan(highest)
        && settings.allows(version);
  }

  /**
   * The version of the protocol errors Ferry sends before a version is agreed on: v4 (or v3) in a
   * plain frame, which every driver decodes whatever version it asked for.
   */
  public int errorVersion() {
    return accepts(ProtocolVersion.V4.code())
        ? ProtocolVersion.V4.code()
        : ProtocolVersion.V3.code();
  }

  /** The accepted versions, lowest first. */
  public List<ProtocolVersion> accepted() {
    List<ProtocolVersion> versions = new ArrayList<>();
    for (ProtocolVersion version : ProtocolVersion.values()) {
      if (accepts(version.code())) {
        versions.add(version);
      }
    }
    return versions;
  }

  /**
   * The error for a refused version, worded as Cassandra words it so that every driver recognises
   * it. It must be sent with stream id 0 and {@link #errorVersion()} as frame version, which any
   * client can decode.
   */
  public Error refusal(int requestedVersion) {
    return MessageCodec.protocolError(
        "Invalid or unsupported protocol version ("
            + requestedVersion
            + "); supported versions are ("
            + String.join(", ", accepted().stream().map(ProtocolVersion::displayName).toList())
            + ")");
  }
}
