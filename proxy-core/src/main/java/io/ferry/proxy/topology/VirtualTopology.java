package io.ferry.proxy.topology;

import io.ferry.proxy.config.ProxySettings;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ferry instances of a fleet as drivers see them: an address, host id and token set per
 * instance. Computed the same way as the ZDM Proxy, so instances of both agree during a switch.
 */
public final class VirtualTopology {

  private static final Logger LOG = LoggerFactory.getLogger(VirtualTopology.class);

  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
  private static final BigInteger TWO_TO_63 = BigInteger.ONE.shiftLeft(63);

  private final List<InetAddress> addresses;
  private final int index;
  private final int numTokens;
  private final int port;
  private final List<Set<String>> tokens;
  private final List<UUID> hostIds;

  public VirtualTopology(List<InetAddress> addresses, int index, int numTokens, int port) {
    if (index < 0 || index >= addresses.size()) {
      throw new IllegalArgumentException(
          "topology index " + index + " (expected: 0.." + (addresses.size() - 1) + ")");
    }
    this.addresses = List.copyOf(addresses);
    this.index = index;
    this.numTokens = numTokens;
    this.port = port;
    this.tokens = new ArrayList<>();
    this.hostIds = new ArrayList<>();
    for (int instance = 0; instance < addresses.size(); instance++) {
      tokens.add(computeTokens(instance, addresses.size(), numTokens));
      hostIds.add(hostId(addresses.get(instance)));
    }
  }

  /**
   * The fleet from the settings; a single instance at the listen address when no topology addresses
   * are configured.
   */
  public static VirtualTopology from(ProxySettings settings) throws UnknownHostException {
    List<InetAddress> addresses = new ArrayList<>();
    for (String address : settings.topology().addresses()) {
      addresses.add(InetAddress.getByName(address));
    }
    if (addresses.isEmpty()) {
      InetAddress listen = InetAddress.getByName(settings.listenAddress());
      if (listen.isAnyLocalAddress()) {
        LOG.warn(
            "listen-address {} with no topology addresses: drivers will be told this instance is"
                + " 127.0.0.1; set ZDM_PROXY_TOPOLOGY_ADDRESSES to the address clients use",
            settings.listenAddress());
        listen = InetAddress.getLoopbackAddress();
      }
      addresses.add(listen);
    }
    return new VirtualTopology(
        addresses,
        settings.topology().index(),
        settings.topology().numTokens(),
        settings.listenPort());
  }

  public int index() {
    return index;
  }

  public int size() {
    return addresses.size();
  }

  public int numTokens() {
    return numTokens;
  }

  /** The CQL port every instance listens on. */
  public int port() {
    return port;
  }

  public InetAddress address(int instance) {
    return addresses.get(instance);
  }

  public Set<String> tokens(int instance) {
    return tokens.get(instance);
  }

  public UUID hostId(int instance) {
    return hostIds.get(instance);
  }

  /**
   * Token t of instance i of p, with n tokens each: {@code (2^64 / (n*p)) * (t*p + i) - 2^63}, so
   * that the instances' tokens interleave evenly around the Murmur3 ring.
   */
  static Set<String> computeTokens(int instance, int instanceCount, int numTokens) {
    BigInteger step = TWO_TO_64.divide(BigInteger.valueOf((long) numTokens * instanceCount));
    Set<String> result = new LinkedHashSet<>();
    for (int t = 0; t < numTokens; t++) {
      BigInteger position = BigInteger.valueOf((long) t * instanceCount + instance);
      result.add(step.multiply(position).subtract(TWO_TO_63).toString());
    }
    return result;
  }

  /**
   * A name-based (version 5, SHA-1) UUID of the address in the nil namespace. IPv4 addresses are
   * hashed in their 16-byte IPv4-mapped form, as the ZDM Proxy (Go's {@code net.IP}) does, so that
   * both proxies give an instance the same host id.
   */
  static UUID hostId(InetAddress address) {
    byte[] raw = address.getAddress();
    byte[] name = raw;
    if (raw.length == 4) {
      name = new byte[16];
      name[10] = (byte) 0xFF;
      name[11] = (byte) 0xFF;
      System.arraycopy(raw, 0, name, 12, 4);
    }
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(new byte[16]);
      byte[] hash = sha1.digest(name);
      hash[6] = (byte) ((hash[6] & 0x0F) | 0x50);
      hash[8] = (byte) ((hash[8] & 0x3F) | 0x80);
      long most = 0;
      long least = 0;
      for (int i = 0; i < 8; i++) {
        most = (most << 8) | (hash[i] & 0xFF);
        least = (least << 8) | (hash[i + 8] & 0xFF);
      }
      return new UUID(most, least);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
