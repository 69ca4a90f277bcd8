package io.ferry.cassandra;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The files and the command line of a node: what Cassandra's tarball would carry in {@code conf/}
 * and {@code bin/cassandra}, which Maven Central does not have.
 */
final class NodeConfiguration {

  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  // A join needs the long ring delay: with 1 s it skipped streaming or failed "Unable to contact
  // any seeds"; without a join the short one saves seconds on every start.
  private static final int RING_DELAY_MILLIS = 1_000;
  private static final int JOINING_RING_DELAY_MILLIS = 10_000;

  private static final Pattern GARBAGE_COLLECTOR = Pattern.compile("-XX:\\+Use[A-Za-z]+GC");

  private NodeConfiguration() {}

  /** The directories of a node, all under {@link NodeSpec#directory()}. */
  record Layout(Path root) {
    Path configuration() {
      return root.resolve("conf");
    }

    Path cassandraYaml() {
      return configuration().resolve("cassandra.yaml");
    }

    Path logbackXml() {
      return configuration().resolve("logback.xml");
    }

    Path logs() {
      return root.resolve("logs");
    }

    Path systemLog() {
      return logs().resolve("system.log");
    }

    Path standardOutput() {
      return logs().resolve("stdout.log");
    }

    Path data() {
      return root.resolve("data");
    }

    Path commitLog() {
      return root.resolve("commitlog");
    }

    Path savedCaches() {
      return root.resolve("saved_caches");
    }

    Path hints() {
      return root.resolve("hints");
    }

    Path changeDataCapture() {
      return root.resolve("cdc_raw");
    }

    Path triggers() {
      return root.resolve("triggers");
    }

    Path javaArguments() {
      return configuration().resolve("java-arguments.txt");
    }

    Path pidFile() {
      return root.resolve("cassandra.pid");
    }

    /** Marks the directory as a node's, so that a fresh start never wipes anything else. */
    Path marker() {
      return root.resolve(".ferry-cassandra-node");
    }

    List<Path> directories() {
      return List.of(
          configuration(),
          logs(),
          data(),
          commitLog(),
          savedCaches(),
          hints(),
          changeDataCapture(),
          triggers());
    }
  }

  static String cassandraYaml(NodeSpec spec) {
    Layout layout = new Layout(spec.directory());
    // Insertion order is the file's order; an extra setting with a default's key takes the
    // default's place instead of adding a duplicate key, which Cassandra would reject.
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("cluster_name", quoted(spec.clusterName()));
    settings.put("num_tokens", "1");
    spec.initialToken().ifPresent(token -> settings.put("initial_token", token));
    settings.put("auto_bootstrap", Boolean.toString(spec.autoBootstrap()));
    settings.put("partitioner", "org.apache.cassandra.dht.Murmur3Partitioner");
    settings.put("endpoint_snitch", "SimpleSnitch");
    settings.put(
        "seed_provider",
        "\n  - class_name: org.apache.cassandra.locator.SimpleSeedProvider"
            + "\n    parameters:"
            + "\n      - seeds: "
            + quoted(String.join(",", spec.seeds())));
    settings.put("listen_address", spec.address());
    settings.put("rpc_address", spec.address());
    settings.put("storage_port", Integer.toString(spec.storagePort()));
    settings.put("native_transport_port", Integer.toString(spec.nativePort()));
    settings.put("start_native_transport", "true");
    settings.put("data_file_directories", "\n  - " + quoted(layout.data()));
    settings.put("commitlog_directory", quoted(layout.commitLog()));
    settings.put("saved_caches_directory", quoted(layout.savedCaches()));
    settings.put("hints_directory", quoted(layout.hints()));
    settings.put("cdc_raw_directory", quoted(layout.changeDataCapture()));
    settings.put("commitlog_sync", "periodic");
    settings.put("commitlog_sync_period", "10000ms");
    settings.put("commitlog_segment_size", "8MiB");
    settings.put("authenticator", "AllowAllAuthenticator");
    settings.put("authorizer", "AllowAllAuthorizer");
    // Small caches and memtables: several nodes share one small machine.
    settings.put("file_cache_size", "32MiB");
    settings.put("memtable_heap_space", "64MiB");
    settings.put("memtable_offheap_space", "64MiB");
    settings.put("concurrent_compactors", "1");
    settings.put("key_cache_size", "8MiB");
    settings.put("counter_cache_size", "0MiB");
    settings.put("dynamic_snitch", "false");
    settings.putAll(spec.extraYaml());

    StringBuilder yaml = new StringBuilder();
    yaml.append("# Written by Ferry for the node ")
        .append(spec.address())
        .append(" at every start; edits here are lost.\n");
    settings.forEach(
        (key, value) ->
            yaml.append(key)
                .append(':')
                .append(value.startsWith("\n") ? "" : " ")
                .append(value)
                .append('\n'));
    return yaml.toString();
  }

  static String logbackXml() {
    return """
        <!-- Written by Ferry: Cassandra's own logging goes to logs/system.log. -->
        <configuration scan="false">
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>${cassandra.logdir}/system.log</file>
            <encoder>
              <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>
            </encoder>
          </appender>
          <logger name="org.apache.cassandra" level="INFO"/>
          <root level="INFO">
            <appender-ref ref="FILE"/>
          </root>
        </configuration>
        """;
  }

  /**
   * The command line: java, the {@linkplain #javaArguments argument file} and Cassandra's main
   * class. The options and the 10 kB classpath go to the file so that {@code ps} shows a readable
   * line, and so that {@link ProcessHandle.Info#commandLine()}, which Linux truncates to 4 kB,
   * still names the main class and the node's directory.
   *
   * <p>A node in a network namespace starts through {@code ip netns exec}, which execs java in the
   * same process: the pid Ferry holds stays the JVM's, for signals and for the pid file.
   */
  static List<String> command(Path java, NodeSpec spec) {
    List<String> command = new ArrayList<>();
    spec.networkNamespace().ifPresent(name -> command.addAll(List.of("ip", "netns", "exec", name)));
    command.addAll(
        List.of(java.toString(), "@" + new Layout(spec.directory()).javaArguments(), MAIN_CLASS));
    return List.copyOf(command);
  }

  /** The content of the argument file: one quoted argument per line, as the java launcher reads. */
  static String javaArguments(CassandraDistribution distribution, NodeSpec spec) {
    Layout layout = new Layout(spec.directory());
    List<String> arguments = new ArrayList<>(jvmOptions(distribution, spec));
    arguments.add("-cp");
    // conf/ first, as bin/cassandra does, so Cassandra finds our logback.xml before any other.
    arguments.add(
        Stream.concat(Stream.of(layout.configuration()), distribution.classpath().stream())
            .map(Path::toString)
            .collect(Collectors.joining(File.pathSeparator)));
    return arguments.stream()
        .map(argument -> '"' + argument.replace("\\", "\\\\").replace("\"", "\\\"") + '"')
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /**
   * Cassandra 5.0's {@code conf/jvm-server.options}, {@code conf/jvm17-server.options} and {@code
   * cassandra-env.sh}, then the system properties that make a lone test node start in seconds.
   */
  static List<String> jvmOptions(CassandraDistribution distribution, NodeSpec spec) {
    Layout layout = new Layout(spec.directory());
    List<String> options = new ArrayList<>();
    options.add("-Xms" + spec.initialHeapSize());
    options.add("-Xmx" + spec.maximumHeapSize());
    options.addAll(
        List.of(
            "-Xss256k",
            "-XX:MaxDirectMemorySize=256m",
            "-ea",
            "-da:net.openhft...",
            "-XX:+UseThreadPriorities",
            "-XX:+HeapDumpOnOutOfMemoryError",
            "-XX:HeapDumpPath=" + layout.logs(),
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:+PerfDisableSharedMem",
            "-XX:+UseTLAB",
            "-XX:+ResizeTLAB",
            "-Djava.net.preferIPv4Stack=true"));
    // Unlike other flags, a second collector does not override the first: the JVM refuses to
    // start with "Multiple garbage collectors selected".
    if (spec.extraJvmOptions().stream()
        .noneMatch(option -> GARBAGE_COLLECTOR.matcher(option).matches())) {
      options.addAll(
          List.of(
              "-XX:+UseG1GC",
              "-XX:+ParallelRefProcEnabled",
              "-XX:MaxTenuringThreshold=1",
              "-XX:MaxGCPauseMillis=300"));
    }
    options.addAll(
        List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports=java.sql/java.sql=ALL-UNNAMED",
            "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11"));
    distribution.jammAgent().ifPresent(jamm -> options.add("-javaagent:" + jamm));
    options.addAll(
        List.of(
            "-Dcassandra.config=" + layout.cassandraYaml().toUri(),
            "-Dcassandra.storagedir=" + layout.root(),
            "-Dcassandra.logdir=" + layout.logs(),
            "-Dcassandra.triggers_dir=" + layout.triggers(),
            "-Dlogback.configurationFile=" + layout.logbackXml().toUri(),
            "-Dcassandra-foreground=yes",
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Dcassandra.ring_delay_ms="
                + (spec.autoBootstrap() ? JOINING_RING_DELAY_MILLIS : RING_DELAY_MILLIS),
            "-Dcassandra.superuser_setup_delay_ms=0",
            "-Dcassandra.migration_delay_ms=0",
            "-Dcassandra.skip_sync=true"));
    if (spec.jmxEnabled()) {
      // The JDK agent, not Cassandra's own JMX server: Cassandra's local JMX always binds
      // 127.0.0.1 and its remote JMX binds the wildcard, so only the agent lets every node of
      // the machine use port 7199 on its own address.
      options.addAll(
          List.of(
              "-Dcom.sun.management.jmxremote.port=" + spec.jmxPort(),
              "-Dcom.sun.management.jmxremote.rmi.port=" + spec.jmxPort(),
              "-Dcom.sun.management.jmxremote.host=" + spec.address(),
              "-Djava.rmi.server.hostname=" + spec.address(),
              "-Dcom.sun.management.jmxremote.authenticate=false",
              "-Dcom.sun.management.jmxremote.ssl=false",
              "-Dcom.sun.management.jmxremote.local.only=false"));
    }
    options.addAll(spec.extraJvmOptions());
    return options;
  }

  private static String quoted(Object value) {
    return "'" + value.toString().replace("'", "''") + "'";
  }
}
