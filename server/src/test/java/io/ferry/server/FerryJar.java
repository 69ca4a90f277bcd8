package io.ferry.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged ferry.jar, launched as an operator runs it: {@code java -jar ferry.jar run}. */
final class FerryJar {

  private static final Path JAR = Path.of(System.getProperty("ferry.jar", "target/ferry.jar"));

  private FerryJar() {}

  /**
   * Launches ferry.jar with {@code environment} alone among the ZDM_* and FERRY_* variables,
   * writing everything it prints to {@code directory/ferry.log}.
   */
  static Process launch(Path directory, Map<String, String> environment, String... args)
      throws IOException {
    return launch(directory.resolve("ferry.log"), environment, List.of(), args);
  }

  /** Launches ferry.jar with JVM options, writing what it prints to {@code log}. */
  static Process launch(
      Path log, Map<String, String> environment, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.startsWith("ZDM_") || name.startsWith("FERRY_"));
    builder.environment().putAll(environment);
    return builder.start();
  }
}
