package io.ferry.cassandra;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one Cassandra node looks like: where it listens, which cluster it belongs to, where it keeps
 * its files and how its JVM is sized. Build one with {@link #builder(String, String, Path)}.
 *
 * @param address the address the node binds for every port: a loopback address in 127.0.0.0/8, or,
 *     for a node in a {@code networkNamespace}, a private address of that namespace
 * @param clusterName {@code cluster_name}
 * @param directory the node's own directory: configuration, logs, data and commit log
 * @param seeds {@code host:port} seeds; by default the node itself
 * @param initialToken the node's single token ({@code num_tokens: 1}); empty for a random one
 * @param initialHeapSize {@code -Xms}, for example {@code 64m}
 * @param maximumHeapSize {@code -Xmx}, for example {@code 512m}
 * @param jmxEnabled whether the JDK JMX agent listens on {@code address:jmxPort}
 * @param jmxPort JMX port (JMX RMI registry and server share it)
 * @param nativePort CQL native transport port
 * @param storagePort internode port
 * @param autoBootstrap whether the node streams data when it joins a running cluster
 * @param extraJvmOptions JVM options appended last, so they win over the defaults; one that chooses
 *     a garbage collector ({@code -XX:+UseSerialGC}) replaces the default G1 options
 * @param extraYaml {@code cassandra.yaml} settings by top-level key, each value the raw YAML after
 *     {@code key:}; a key that is also a default replaces the default
 * @param fresh whether to wipe {@code directory} before starting
 * @param networkNamespace the {@code ip netns} namespace the node's JVM runs in (launched with
 *     {@code ip netns exec}, which needs root), so that a test can cut the network between the node
 *     and the rest of the machine; empty for the machine's own network
 */
public record NodeSpec(
    String address,
    String clusterName,
    Path directory,
    List<String> seeds,
    Optional<String> initialToken,
    String initialHeapSize,
    String maximumHeapSize,
    boolean jmxEnabled,
    int jmxPort,
    int nativePort,
    int storagePort,
    boolean autoBootstrap,
    List<String> extraJvmOptions,
    Map<String, String> extraYaml,
    boolean fresh,
    Optional<String> networkNamespace) {

  public static final int DEFAULT_NATIVE_PORT = 9042;
  public static final int DEFAULT_STORAGE_PORT = 7000;
  public static final int DEFAULT_JMX_PORT = 7199;
  public static final String DEFAULT_INITIAL_HEAP_SIZE = "64m";
  public static final String DEFAULT_MAXIMUM_HEAP_SIZE = "512m";

  private static final Pattern HEAP_SIZE = Pattern.compile("[1-9][0-9]*[kKmMgG]?");
  private static final Pattern YAML_KEY = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern NAMESPACE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  public NodeSpec {
    Objects.requireNonNull(networkNamespace, "networkNamespace");
    networkNamespace.ifPresent(NodeSpec::checkNamespaceName);
    checkAddress(address, networkNamespace.isPresent());
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException(
          "cluster name: '" + clusterName + "' (expected: a non-blank name)");
    }
    directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    seeds = List.copyOf(seeds);
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("seeds: empty (expected: at least one host:port)");
    }
    Objects.requireNonNull(initialToken, "initialToken");
    checkHeapSize("initial heap size", initialHeapSize);
    checkHeapSize("maximum heap size", maximumHeapSize);
    checkPort("JMX port", jmxPort);
    checkPort("native port", nativePort);
    checkPort("storage port", storagePort);
    extraJvmOptions = List.copyOf(extraJvmOptions);
    extraYaml.forEach(NodeSpec::checkYamlSetting);
    extraYaml = Collections.unmodifiableMap(new LinkedHashMap<>(extraYaml));
  }

  /**
   * A node on {@code address} with the defaults: itself as seed, a random token, {@code -Xms64m
   * -Xmx512m}, JMX on, ports 9042/7000/7199, no auto-bootstrap, directory kept as it is.
   */
  public static Builder builder(String address, String clusterName, Path directory) {
    return new Builder(address, clusterName, directory);
  }

  /** A builder holding this spec's values, to derive a variant of it. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Loopback only, unless the node runs in a network namespace of its own; then a private address
   * (10/8, 172.16/12, 192.168/16) that the namespace's creator gave it, never a public one.
   */
  private static void checkAddress(String address, boolean inNamespace) {
    // Parse only literals: InetAddress.getByName would resolve a host name over DNS.
    if (address == null || !IPV4_LITERAL.matcher(address).matches()) {
      throw badAddress(address, inNamespace);
    }
    try {
      InetAddress parsed = InetAddress.getByName(address);
      boolean allowed = parsed.isLoopbackAddress() || (inNamespace && parsed.isSiteLocalAddress());
      if (!allowed) {
        throw badAddress(address, inNamespace);
      }
    } catch (UnknownHostException e) {
      throw badAddress(address, inNamespace);
    }
  }

  private static IllegalArgumentException badAddress(String address, boolean inNamespace) {
    return new IllegalArgumentException(
        "address: '"
            + address
            + "' (expected: an IPv4 loopback address in 127.0.0.0/8"
            + (inNamespace ? ", or a private IPv4 address of the node's network namespace)" : ")"));
  }

  private static void checkNamespaceName(String name) {
    if (!NAMESPACE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "network namespace: '"
              + name
              + "' (expected: an `ip netns` name of letters, digits, '.', '_' and '-')");
    }
  }

  private static void checkHeapSize(String name, String size) {
    if (size == null || !HEAP_SIZE.matcher(size).matches()) {
      throw new IllegalArgumentException(
          name + ": '" + size + "' (expected: a JVM size such as 512m or 1g)");
    }
  }

  private static void checkPort(String name, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + ": " + port + " (expected: 1..65535)");
    }
  }

  private static void checkYamlSetting(String key, String value) {
    if (key == null || !YAML_KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "cassandra.yaml key: '" + key + "' (expected: a top-level key such as authenticator)");
    }
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "cassandra.yaml value of " + key + ": '" + value + "' (expected: non-blank YAML)");
    }
  }

  /** Collects the settings of a {@link NodeSpec}; every setter returns this builder. */
  public static final class Builder {
    private final String address;
    private final String clusterName;
    private final Path directory;
    private List<String> seeds;
    private Optional<String> initialToken = Optional.empty();
    private String initialHeapSize = DEFAULT_INITIAL_HEAP_SIZE;
    private String maximumHeapSize = DEFAULT_MAXIMUM_HEAP_SIZE;
    private boolean jmxEnabled = true;
    private int jmxPort = DEFAULT_JMX_PORT;
    private int nativePort = DEFAULT_NATIVE_PORT;
    private int storagePort = DEFAULT_STORAGE_PORT;
    private boolean autoBootstrap;
    private final List<String> extraJvmOptions = new ArrayList<>();
    private final Map<String, String> extraYaml = new LinkedHashMap<>();
    private boolean fresh;
    private Optional<String> networkNamespace = Optional.empty();

    private Builder(String address, String clusterName, Path directory) {
      this.address = address;
      this.clusterName = clusterName;
      this.directory = directory;
    }

    private Builder(NodeSpec spec) {
      this(spec.address, spec.clusterName, spec.directory);
      seeds = spec.seeds;
      initialToken = spec.initialToken;
      initialHeapSize = spec.initialHeapSize;
      maximumHeapSize = spec.maximumHeapSize;
      jmxEnabled = spec.jmxEnabled;
      jmxPort = spec.jmxPort;
      nativePort = spec.nativePort;
      storagePort = spec.storagePort;
      autoBootstrap = spec.autoBootstrap;
      extraJvmOptions.addAll(spec.extraJvmOptions);
      extraYaml.putAll(spec.extraYaml);
      fresh = spec.fresh;
      networkNamespace = spec.networkNamespace;
    }

    /** Seeds as {@code host:port}; list every node of a cluster started from scratch. */
    public Builder seeds(List<String> seeds) {
      this.seeds = List.copyOf(seeds);
      return this;
    }

    public Builder initialToken(String initialToken) {
      this.initialToken = Optional.of(initialToken);
      return this;
    }

    public Builder heap(String initialHeapSize, String maximumHeapSize) {
      this.initialHeapSize = initialHeapSize;
      this.maximumHeapSize = maximumHeapSize;
      return this;
    }

    public Builder jmxEnabled(boolean jmxEnabled) {
      this.jmxEnabled = jmxEnabled;
      return this;
    }

    public Builder jmxPort(int jmxPort) {
      this.jmxPort = jmxPort;
      return this;
    }

    public Builder nativePort(int nativePort) {
      this.nativePort = nativePort;
      return this;
    }

    public Builder storagePort(int storagePort) {
      this.storagePort = storagePort;
      return this;
    }

    /**
     * Set it to join a running cluster with streaming; the node then also waits the 10 s ring delay
     * that a join needs (with less, joins skipped streaming or failed).
     */
    public Builder autoBootstrap(boolean autoBootstrap) {
      this.autoBootstrap = autoBootstrap;
      return this;
    }

    /** Appends JVM options; later options win, so these override the defaults. */
    public Builder addJvmOptions(String... options) {
      extraJvmOptions.addAll(List.of(options));
      return this;
    }

    /**
     * Sets a top-level {@code cassandra.yaml} setting, replacing the default of the same key: for
     * example {@code yaml("authenticator", "PasswordAuthenticator")}. A value spanning several
     * lines starts with a line break and carries its own indentation.
     */
    public Builder yaml(String key, String value) {
      extraYaml.put(key, value);
      return this;
    }

    /** Whether to wipe the directory before the node starts; by default its data is kept. */
    public Builder fresh(boolean fresh) {
      this.fresh = fresh;
      return this;
    }

    /**
     * Runs the node in an existing {@code ip netns} namespace (the caller creates it and gives it
     * the node's address); the node's JVM starts with {@code ip netns exec}, so this needs root.
     */
    public Builder networkNamespace(String name) {
      this.networkNamespace = Optional.of(name);
      return this;
    }

    public NodeSpec build() {
      List<String> effectiveSeeds = seeds != null ? seeds : List.of(address + ":" + storagePort);
      return new NodeSpec(
          address,
          clusterName,
          directory,
          effectiveSeeds,
          initialToken,
          initialHeapSize,
          maximumHeapSize,
          jmxEnabled,
          jmxPort,
          nativePort,
          storagePort,
          autoBootstrap,
          extraJvmOptions,
          extraYaml,
          fresh,
          networkNamespace);
    }
  }
}
