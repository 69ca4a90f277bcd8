package io.ferry.proxy.frame;

import java.util.Locale;

/** The native protocol versions Ferry knows, with their version byte and negotiation order. */
public enum ProtocolVersion {
  V3(3, "3/v3"),
  V4(4, "4/v4"),
  V5(5, "5/v5"),
  DSE_V1(0x41, "DSE_V1"),
  DSE_V2(0x42, "DSE_V2");

  /** The highest version Ferry speaks to clients and clusters. */
  public static final ProtocolVersion HIGHEST_SUPPORTED = DSE_V2;

  /** The lowest version Ferry speaks. */
  public static final ProtocolVersion LOWEST_SUPPORTED = V3;

  private final int code;
  private final String displayName;

  ProtocolVersion(int code, String displayName) {
    this.code = code;
    this.displayName = displayName;
  }

  /** The version byte of a frame header, without the response-direction bit. */
  public int code() {
    return code;
  }

  /**
   * How Cassandra lists the version in SUPPORTED's {@code PROTOCOL_VERSIONS}, e.g. {@code 4/v4}.
   */
  public String displayName() {
    return displayName;
  }

  public boolean isSupportedByFerry() {
    return true;
  }

  /** Whether frames travel in checksummed segments after the handshake (v5, not DSE_V2). */
  public boolean hasModernFraming() {
    return this == V5;
  }

  /** Whether query parameter flags are an {@code [int]} rather than a {@code [byte]}. */
  public boolean hasIntFlags() {
    return this == V5 || this == DSE_V1 || this == DSE_V2;
  }

  /** Whether PREPARED results and EXECUTE requests carry a result metadata id. */
  public boolean hasResultMetadataId() {
    return this == V5 || this == DSE_V2;
  }

  /** Whether QUERY, PREPARE and BATCH may name the keyspace they run in. */
  public boolean hasKeyspaceInRequest() {
    return this == V5 || this == DSE_V2;
  }

  /** Whether the version byte is a DSE one. */
  public boolean isDse() {
    return this == DSE_V1 || this == DSE_V2;
  }

  /** The next version to try after a cluster refused this one, or {@code null} below v3. */
  public ProtocolVersion lower() {
    return switch (this) {
      case DSE_V2 -> DSE_V1;
      case DSE_V1 -> V5;
      case V5 -> V4;
      case V4 -> V3;
      case V3 -> null;
    };
  }

  /**
   * Whether this version comes after {@code other} in negotiation order (DSE versions are highest).
   */
  public boolean isHigherThan(ProtocolVersion other) {
    return ordinal() > other.ordinal();
  }

  /** The version for a frame's version byte (direction bit ignored), or {@code null} if unknown. */
  public static ProtocolVersion fromCode(int versionByte) {
    return switch (versionByte & 0x7F) {
      case 3 -> V3;
      case 4 -> V4;
      case 5 -> V5;
      case 0x41 -> DSE_V1;
      case 0x42 -> DSE_V2;
      default -> null;
    };
  }

  /**
   * Parses the ZDM Proxy's spellings: {@code 3}, {@code v3}, {@code 4}, {@code v4}, {@code 5},
   * {@code v5}, {@code DseV1}, {@code Dse_V1}, {@code DseV2}, {@code Dse_V2} (case-insensitive).
   *
   * @throws IllegalArgumentException for anything else
   */
  public static ProtocolVersion parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "3", "v3" -> V3;
      case "4", "v4" -> V4;
      case "5", "v5" -> V5;
      case "dsev1", "dse_v1" -> DSE_V1;
      case "dsev2", "dse_v2" -> DSE_V2;
      default -> throw new IllegalArgumentException("unknown protocol version " + text);
    };
  }
}
