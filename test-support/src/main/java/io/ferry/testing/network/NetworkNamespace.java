package io.ferry.testing.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network namespace of a test's own, joined to the machine by a veth pair on a private /30: the
 * machine's end has the subnet's first address, the namespace's end its second. A process started
 * in it ({@code ip netns exec}, see {@code NodeSpec.Builder#networkNamespace}) is reached at {@link
 * #address()}.
 *
 * <p>{@link #cut()} takes the namespace's end of the pair down: from then on packets between the
 * machine and the namespace are dropped, with no reset and no ICMP error, as when a cable or a
 * switch fails; open TCP connections stay open and retransmit, new ones fail. {@link #restore()}
 * brings it back. Traffic for the subnet never leaves the machine: besides the veth's own route, a
 * lower-priority {@code unreachable} route holds the subnet, so that even with the veth gone no
 * packet follows the default route.
 *
 * <p>Needs root and iproute2 ({@link #unsupportedReason()} says why not). {@link #close()} deletes
 * the namespace, the veth pair and the route; so does a shutdown hook if the JVM exits first, and
 * {@link #create} deletes what an earlier run left under the same name. Stop the processes inside
 * before closing.
 *
 * <p>Thread-safe.
 */
public final class NetworkNamespace implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespace.class);

  // Interface names are at most 15 characters: the name plus "-h" or "-n".
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,12}");
  private static final long COMMAND_TIMEOUT_SECONDS = 30;
  private static final int PREFIX_LENGTH = 30;
  // Above the kernel's 0 for the veth's connected route, so that one wins while it exists.
  private static final String FALLBACK_ROUTE_METRIC = "4000";

  private final String name;
  private final String subnet;
  private final String hostAddress;
  private final String address;
  private final Thread shutdownHook;
  private boolean closed;

  private NetworkNamespace(String name, String subnet, String hostAddress, String address) {
    this.name = name;
    this.subnet = subnet;
    this.hostAddress = hostAddress;
    this.address = address;
    this.shutdownHook = new Thread(this::delete, "ferry-delete-netns-" + name);
  }

  /**
   * Why namespaces cannot be created here (not root, no {@code ip} command), or empty when they
   * can.
   */
  public static Optional<String> unsupportedReason() {
    try {
      String status = Files.readString(Path.of("/proc/self/status"), StandardCharsets.UTF_8);
      boolean root = status.lines().anyMatch(line -> line.matches("Uid:\\s+0\\s.*"));
      if (!root) {
        return Optional.of("network namespaces need root (ip netns)");
      }
      run(List.of("ip", "netns", "list"));
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("network namespaces are not available: " + e.getMessage());
    }
  }

  /**
   * Creates namespace {@code name} joined to the machine on {@code subnet}/30.
   *
   * @param name lower-case letters, digits and '-', at most 13 characters; names the veth ends too
   * @param subnet the first address of a private /30, for example {@code 10.231.0.0}
   * @throws IllegalStateException if a command fails; whatever was made is deleted again
   */
  public static NetworkNamespace create(String name, String subnet) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "namespace name: '" + name + "' (expected: [a-z][a-z0-9-]{0,12})");
    }
    byte[] base = privateSubnet(subnet);
    NetworkNamespace namespace = new NetworkNamespace(name, subnet, plus(base, 1), plus(base, 2));
    namespace.delete();
    try {
      namespace.make();
    } catch (RuntimeException e) {
      namespace.delete();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(namespace.shutdownHook);
    LOG.info(
        "Network namespace {} created: {} inside, {} on the machine's end",
        name,
        namespace.address,
        namespace.hostAddress);
    return namespace;
  }

  /** The name for {@code ip netns exec}. */
  public String name() {
    return name;
  }

  /** The namespace's own address, where its processes listen. */
  public String address() {
    return address;
  }

  /** The address of the machine's end of the veth pair. */
  public String hostAddress() {
    return hostAddress;
  }

  /** Cuts the network between the machine and the namespace: packets are dropped silently. */
  public synchronized void cut() {
    run(List.of("ip", "-n", name, "link", "set", namespaceInterface(), "down"));
    LOG.info("Network namespace {}: network cut", name);
  }

  /** Restores the network that {@link #cut()} cut. */
  public synchronized void restore() {
    run(List.of("ip", "-n", name, "link", "set", namespaceInterface(), "up"));
    LOG.info("Network namespace {}: network restored", name);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down and the hook runs anyway: deleting twice is harmless.
    }
    LOG.info("Network namespace {} deleted", name);
  }

  @Override
  public String toString() {
    return "network namespace " + name + " (" + address + ")";
  }

  private void make() {
    run(List.of("ip", "netns", "add", name));
    run(
        List.of(
            "ip",
            "link",
            "add",
            hostInterface(),
            "type",
            "veth",
            "peer",
            "name",
            namespaceInterface(),
            "netns",
            name));
    run(List.of("ip", "addr", "add", hostAddress + "/" + PREFIX_LENGTH, "dev", hostInterface()));
    run(List.of("ip", "link", "set", hostInterface(), "up"));
    run(
        List.of(
            "ip",
            "-n",
            name,
            "addr",
            "add",
            address + "/" + PREFIX_LENGTH,
            "dev",
            namespaceInterface()));
    run(List.of("ip", "-n", name, "link", "set", namespaceInterface(), "up"));
    run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
    run(fallbackRoute("add"));
  }

  /** Deletes whatever exists of the namespace, its veth pair and the route; never fails. */
  private void delete() {
    for (List<String> command :
        List.of(
            List.of("ip", "netns", "delete", name),
            // Deleting the namespace takes its veth end, and so the pair, with it, unless a process
            // still holds the namespace: then the machine's end must go explicitly.
            List.of("ip", "link", "delete", hostInterface()),
            fallbackRoute("delete"))) {
      try {
        run(command);
      } catch (RuntimeException e) {
        LOG.debug("{} (nothing to delete): {}", String.join(" ", command), e.getMessage());
      }
    }
  }

  private List<String> fallbackRoute(String action) {
    return List.of(
        "ip",
        "route",
        action,
        "unreachable",
        subnet + "/" + PREFIX_LENGTH,
        "metric",
        FALLBACK_ROUTE_METRIC);
  }

  private String hostInterface() {
    return name + "-h";
  }

  private String namespaceInterface() {
    return name + "-n";
  }

  private static byte[] privateSubnet(String subnet) {
    try {
      InetAddress parsed = InetAddress.getByName(subnet);
      byte[] bytes = parsed.getAddress();
      if (!subnet.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
          || !parsed.isSiteLocalAddress()
          || (bytes[3] & 3) != 0) {
        throw new IllegalArgumentException(
            "subnet: '" + subnet + "' (expected: the first address of a private IPv4 /30)");
      }
      return bytes;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("subnet: '" + subnet + "' (expected: an IPv4 literal)");
    }
  }

  private static String plus(byte[] base, int offset) {
    return (base[0] & 0xFF)
        + "."
        + (base[1] & 0xFF)
        + "."
        + (base[2] & 0xFF)
        + "."
        + ((base[3] & 0xFF) + offset);
  }

  private static void run(List<String> command) {
    List<String> commandLine = new ArrayList<>(command);
    try {
      Process process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", commandLine) + " did not finish");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", commandLine)
                + " failed with status "
                + process.exitValue()
                + ": "
                + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + String.join(" ", commandLine), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", commandLine), e);
    }
  }
}
