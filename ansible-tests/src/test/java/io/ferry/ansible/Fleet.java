package io.ferry.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.testing.http.HttpProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A copy of {@code ansible/} set up as an operator would for three Ferry hosts, {@code ferry-1} to
 * {@code ferry-3} on 127.0.0.11 to 127.0.0.13, in front of the given origin and target: an
 * inventory and edited {@code vars/} files. Ansible reaches the hosts with its local connection and
 * without sudo; each host installs into a directory of its own.
 *
 * <p>No systemd runs in CI, so the playbooks' {@code systemctl} calls reach the test-only shim
 * {@code ansible/tests/systemctl} (first on the PATH of {@code ansible-playbook}), which runs the
 * unit files the playbooks write. Closing the fleet stops every instance it started.
 */
final class Fleet implements AutoCloseable {

  static final List<String> HOSTS = List.of("ferry-1", "ferry-2", "ferry-3");
  static final int CQL_PORT = 9042;
  static final int METRICS_PORT = 14001;
  static final int ADMIN_PORT = 8888;

  private static final Path ANSIBLE =
      Path.of(System.getProperty("ferry.ansible.directory", "../ansible")).toAbsolutePath();
  private static final Path JAR =
      Path.of(System.getProperty("ferry.jar", "../server/target/ferry.jar")).toAbsolutePath();
  private static final Duration PLAYBOOK_TIMEOUT = Duration.ofMinutes(4);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final Path playbooks;
  private final Map<String, Map<String, String>> hostVariables = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Fleet(Path directory) {
    this.directory = directory;
    this.playbooks = directory.resolve("ansible");
  }

  /** Copies {@code ansible/} under {@code directory} and configures it for the three hosts. */
  static Fleet create(Path directory, String originAddress, String targetAddress)
      throws IOException {
    assertThat(JAR).as("ferry.jar (built by the server module)").isRegularFile();
    Fleet fleet = new Fleet(directory);
    copy(ANSIBLE, fleet.playbooks);
    Files.createDirectories(fleet.unitDirectory());
    for (int i = 0; i < HOSTS.size(); i++) {
      String host = HOSTS.get(i);
      Path root = directory.resolve("hosts").resolve(host);
      Map<String, String> variables = new LinkedHashMap<>();
      variables.put("zdm_proxy_listen_address", address(host));
      variables.put("ferry_admin_address", address(host));
      variables.put("ferry_service_name", host);
      variables.put("ferry_install_dir", root.resolve("opt/ferry").toString());
      variables.put("ferry_config_dir", root.resolve("etc/ferry").toString());
      fleet.hostVariables.put(host, variables);
    }
    fleet.writeInventory();
    fleet.setVariable("zdm_proxy_cluster_config.yml", "origin_contact_points", originAddress);
    fleet.setVariable("zdm_proxy_cluster_config.yml", "target_contact_points", targetAddress);
    fleet.setVariable("ferry_config.yml", "ferry_jar_src", JAR.toString());
    fleet.setVariable("ferry_config.yml", "ferry_install_java", "false");
    fleet.setVariable(
        "ferry_config.yml",
        "ferry_java",
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Three Ferry JVMs share two cores with the Cassandra nodes: small heaps, C1 only.
    fleet.setVariable(
        "ferry_config.yml",
        "ferry_jvm_options",
        "\"-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1\"");
    fleet.setVariable("ferry_config.yml", "ferry_user", System.getProperty("user.name"));
    fleet.setVariable("ferry_config.yml", "ferry_create_user", "false");
    fleet.setVariable("zdm_playbook_internal_config.yml", "pause_between_restarts_in_seconds", "3");
    fleet.setVariable("zdm_playbook_internal_config.yml", "ferry_readiness_retries", "60");
    fleet.setVariable("zdm_playbook_internal_config.yml", "ferry_readiness_delay_seconds", "1");
    return fleet;
  }

  static String address(String host) {
    return "127.0.0.1" + (HOSTS.indexOf(host) + 1);
  }

  /**
   * Sets {@code name: value} in {@code vars/<file>}, where the file has the variable, possibly
   * commented out, as an operator edits it.
   */
  void setVariable(String file, String name, String value) throws IOException {
    Path path = playbooks.resolve("vars").resolve(file);
    String text = Files.readString(path);
    Matcher line = Pattern.compile("(?m)^(# ?)?" + Pattern.quote(name) + ":.*$").matcher(text);
    assertThat(line.find()).as("%s has a line for %s", path, name).isTrue();
    Files.writeString(
        path, text.substring(0, line.start()) + name + ": " + value + text.substring(line.end()));
  }

  /** Sets an inventory variable of one host. */
  void setHostVariable(String host, String name, String value) throws IOException {
    hostVariables.get(host).put(name, value);
    writeInventory();
  }

  private void writeInventory() throws IOException {
    StringBuilder inventory = new StringBuilder("[proxies]\n");
    hostVariables.forEach(
        (host, variables) ->
            inventory
                .append(host)
                .append(' ')
                .append(
                    variables.entrySet().stream()
                        .map(variable -> variable.getKey() + "=" + variable.getValue())
                        .collect(Collectors.joining(" ")))
                .append('\n'));
    inventory
        .append("\n[proxies:vars]\n")
        .append("ansible_connection=local\n")
        .append("ansible_become=false\n")
        .append("ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\n")
        .append("ferry_systemd_unit_dir=")
        .append(unitDirectory())
        .append('\n');
    Files.writeString(playbooks.resolve("inventory"), inventory);
  }

  /** Runs {@code ansible-playbook -i inventory <playbook>} and waits for it. */
  PlaybookRun run(String playbook) throws IOException, InterruptedException {
    Path output = Files.createTempFile(directory, playbook, ".log");
    long start = System.nanoTime();
    Process process;
    try {
      process =
          command("ansible-playbook", "-i", "inventory", playbook)
              .redirectOutput(output.toFile())
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "ansible-playbook cannot be run ("
              + e.getMessage()
              + "): install Ansible (Debian package ansible: apt-get install ansible, as .ci/run"
              + " does)",
          e);
    }
    if (!process.waitFor(PLAYBOOK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          playbook + " still runs after " + PLAYBOOK_TIMEOUT + ":\n" + Files.readString(output));
    }
    PlaybookRun run =
        new PlaybookRun(
            playbook,
            process.exitValue(),
            Duration.ofNanos(System.nanoTime() - start),
            Files.readString(output));
    System.out.println(run);
    return run;
  }

  /** A command run in the copy of {@code ansible/}, with the systemctl shim first on its PATH. */
  private ProcessBuilder command(String... command) {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(playbooks.toFile()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.put(
        "PATH",
        playbooks.resolve("tests") + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("SYSTEMCTL_SHIM_UNIT_DIR", unitDirectory().toString());
    environment.put("SYSTEMCTL_SHIM_STATE_DIR", directory.resolve("systemd-state").toString());
    environment.put("ANSIBLE_NOCOLOR", "1");
    return builder;
  }

  private Path unitDirectory() {
    return directory.resolve("systemd");
  }

  /** The pid of a host's Ferry process, as its service manager (the shim) records it; 0 if none. */
  long pid(String host) throws IOException {
    Path state = directory.resolve("systemd-state").resolve(host + ".service.state");
    if (!Files.exists(state)) {
      return 0;
    }
    JsonNode node = JSON.readTree(state.toFile());
    return "active".equals(node.path("active").asText()) ? node.path("main").asLong() : 0;
  }

  /** The status of a host's {@code /health/readiness}, -1 when nothing answers. */
  int readiness(String host) {
    HttpResponse<String> response = get(address(host), METRICS_PORT, "/health/readiness");
    return response == null ? -1 : response.statusCode();
  }

  /** The routing a host's Ferry applies ({@code GET /proxy/routing}: primary_cluster, ...). */
  JsonNode routing(String host) throws IOException {
    HttpResponse<String> response = get(address(host), ADMIN_PORT, "/proxy/routing");
    assertThat(response).as("%s answers GET /proxy/routing", host).isNotNull();
    return JSON.readTree(response.body());
  }

  /** Switches a host's routing through the admin API ({@code PUT /proxy/routing}). */
  void switchRouting(String host, String json) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + address(host) + ":" + ADMIN_PORT + "/proxy/routing"))
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** A file a host's Ferry configuration directory holds, e.g. {@code mutable.env}. */
  String configFile(String host, String name) throws IOException {
    return Files.readString(Path.of(hostVariables.get(host).get("ferry_config_dir"), name));
  }

  private HttpResponse<String> get(String address, int port, String path) {
    return HttpProbe.getOrNull(http, "http://" + address + ":" + port + path);
  }

  /**
   * Stops every instance through the shim (a drain, as in production); kills what still runs after
   * it, found by the pids the shim recorded.
   */
  @Override
  public void close() throws IOException {
    for (String host : HOSTS) {
      Process stop = command("systemctl", "stop", host).start();
      try {
        if (!stop.waitFor(90, TimeUnit.SECONDS)) {
          stop.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop.destroyForcibly();
      }
    }
    Path states = directory.resolve("systemd-state");
    if (!Files.isDirectory(states)) {
      return;
    }
    List<Path> stateFiles;
    try (Stream<Path> files = Files.list(states)) {
      stateFiles = files.filter(file -> file.toString().endsWith(".state")).toList();
    }
    for (Path stateFile : stateFiles) {
      JsonNode state = JSON.readTree(stateFile.toFile());
      for (String pid : List.of("main", "supervisor")) {
        // Only a process of this fleet: a pid the shim recorded may since belong to another.
        ProcessHandle.of(state.path(pid).asLong())
            .filter(
                process -> process.info().commandLine().orElse("").contains(directory.toString()))
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static void copy(Path source, Path destination) throws IOException {
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : paths.toList()) {
        Path target = destination.resolve(source.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** What a playbook run printed, and how it ended. */
  record PlaybookRun(String playbook, int exitCode, Duration duration, String output) {

    @Override
    public String toString() {
      return String.format(
          "ansible-playbook %s exited %d after %.1f s:%n%s",
          playbook, exitCode, duration.toMillis() / 1000.0, output);
    }
  }
}
