package io.ferry.cassandra;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime classpath of one Apache Cassandra release ({@code org.apache.cassandra:cassandra-all}
 * and its dependencies), resolved from Maven Central by the {@code mvn} on the {@code PATH} and
 * cached under {@code <cache directory>/cassandra/<version>/}.
 *
 * <p>The binary tarball is not on Maven Central, so there is no {@code conf/} and no {@code bin/}:
 * {@link CassandraNode} writes the configuration and passes the JVM flags itself.
 *
 * @param version the Cassandra release, for example {@code 5.0.6}
 * @param classpath the jars, in Maven's order
 */
public record CassandraDistribution(String version, List<Path> classpath) {

  /** System property that overrides the Cassandra release (failsafe sets it from the pom). */
  public static final String VERSION_PROPERTY = "ferry.cassandra.version";

  /** Environment variable naming the cache directory; it wins over {@link #CACHE_PROPERTY}. */
  public static final String CACHE_ENVIRONMENT_VARIABLE = "FERRY_CACHE_DIR";

  /** System property naming the cache directory. */
  public static final String CACHE_PROPERTY = "ferry.cache.dir";

  private static final Logger LOG = LoggerFactory.getLogger(CassandraDistribution.class);

  private static final String VERSION_RESOURCE = "cassandra-nodes.properties";
  private static final Pattern VERSION_SYNTAX = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]*");
  private static final String CLASSPATH_FILE = "classpath.txt";
  // Pinned so that the resolution does not depend on whatever plugin version Maven picks by
  // default.
  private static final String BUILD_CLASSPATH_GOAL =
      "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath";
  private static final int MAVEN_OUTPUT_LINES_KEPT = 40;

  // FileLock guards against other JVMs only; inside one JVM a second lock attempt would throw
  // OverlappingFileLockException, so threads of this JVM queue on this monitor first.
  private static final Object RESOLUTION_MONITOR = new Object();

  public CassandraDistribution {
    Objects.requireNonNull(version, "version");
    classpath = List.copyOf(classpath);
    if (classpath.isEmpty()) {
      throw new IllegalArgumentException("classpath: empty (expected: the cassandra-all jars)");
    }
  }

  /**
   * Resolves the {@linkplain #defaultVersion() default release} into the {@linkplain
   * #defaultCacheDirectory() default cache directory}.
   *
   * @param progress receives one line per step a user may wait for (Maven downloads, mainly)
   */
  public static CassandraDistribution resolve(Consumer<String> progress) {
    return resolve(defaultVersion(), defaultCacheDirectory(), progress);
  }

  /**
   * Returns the cached classpath of {@code version} if every jar it lists still exists, otherwise
   * resolves it with Maven (about 66 MB to download on the first run). Safe to call from several
   * threads and several JVMs at once: they resolve one after the other and share the result.
   *
   * @param progress receives one line per step a user may wait for (Maven downloads, mainly)
   * @throws CassandraNodeException if Maven is missing or fails
   */
  public static CassandraDistribution resolve(
      String version, Path cacheDirectory, Consumer<String> progress) {
    checkVersion(version);
    Path versionDirectory = cacheDirectory.resolve("cassandra").resolve(version);
    synchronized (RESOLUTION_MONITOR) {
      try {
        Files.createDirectories(versionDirectory);
        try (FileChannel lockChannel =
            FileChannel.open(
                versionDirectory.resolve(".lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
          // Closing the channel releases the lock.
          lock(lockChannel, versionDirectory, progress);
          Path classpathFile = versionDirectory.resolve(CLASSPATH_FILE);
          Optional<List<Path>> cached = readClasspath(classpathFile, progress);
          if (cached.isPresent()) {
            LOG.debug("Using cached classpath of Cassandra {} from {}", version, classpathFile);
            return new CassandraDistribution(version, cached.get());
          }
          return new CassandraDistribution(
              version, resolveWithMaven(version, versionDirectory, progress));
        }
      } catch (IOException e) {
        throw new CassandraNodeException(
            "Could not resolve Apache Cassandra " + version + " in " + versionDirectory, e);
      }
    }
  }

  /**
   * The release to start: system property {@value #VERSION_PROPERTY}, else the {@code
   * cassandra.version} of the build that produced this jar.
   */
  public static String defaultVersion() {
    String fromProperty = System.getProperty(VERSION_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return fromProperty.trim();
    }
    Properties properties = new Properties();
    try (InputStream in = CassandraDistribution.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + VERSION_RESOURCE, e);
    }
    String fromBuild = properties.getProperty("cassandra.version", "");
    if (fromBuild.isBlank() || fromBuild.startsWith("${")) {
      // Happens when the classes come from an IDE build that skipped Maven's resource filtering.
      throw new CassandraNodeException(
          "No Cassandra version configured: set the system property "
              + VERSION_PROPERTY
              + " (for example -D"
              + VERSION_PROPERTY
              + "=5.0.6) or build with Maven so that "
              + VERSION_RESOURCE
              + " is filtered");
    }
    return fromBuild.trim();
  }

  /**
   * {@code $FERRY_CACHE_DIR}, else system property {@value #CACHE_PROPERTY}, else {@code
   * ~/.cache/ferry}.
   */
  public static Path defaultCacheDirectory() {
    return defaultCacheDirectory(System.getenv(), System.getProperties());
  }

  static Path defaultCacheDirectory(Map<String, String> environment, Properties properties) {
    String fromEnvironment = environment.get(CACHE_ENVIRONMENT_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return Path.of(fromEnvironment);
    }
    String fromProperty = properties.getProperty(CACHE_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return Path.of(fromProperty);
    }
    return Path.of(properties.getProperty("user.home"), ".cache", "ferry");
  }

  /** The jamm jar, which Cassandra wants as a {@code -javaagent} to measure memory precisely. */
  public Optional<Path> jammAgent() {
    return classpath.stream()
        .filter(jar -> jar.getFileName().toString().matches("jamm-[0-9.]+\\.jar"))
        .findFirst();
  }

  private static void checkVersion(String version) {
    if (version == null || !VERSION_SYNTAX.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "Cassandra version: '" + version + "' (expected: a Maven version such as 5.0.6)");
    }
  }

  private static void lock(FileChannel channel, Path directory, Consumer<String> progress)
      throws IOException {
    if (channel.tryLock() == null) {
      progress.accept("Waiting for another process that resolves Cassandra in " + directory);
      channel.lock();
    }
  }

  /** Empty when there is no usable cached classpath, so the caller resolves it again. */
  static Optional<List<Path>> readClasspath(Path classpathFile, Consumer<String> progress)
      throws IOException {
    if (!Files.isRegularFile(classpathFile)) {
      return Optional.empty();
    }
    String content = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
    if (content.isEmpty()) {
      return Optional.empty();
    }
    List<Path> jars =
        Arrays.stream(content.split(Pattern.quote(File.pathSeparator))).map(Path::of).toList();
    for (Path jar : jars) {
      if (!Files.isRegularFile(jar)) {
        // Typically a cleaned ~/.m2; Maven downloads the jar again.
        progress.accept(
            "Cached Cassandra classpath lists a missing jar " + jar + ", resolving again");
        return Optional.empty();
      }
    }
    return Optional.of(jars);
  }

  private static List<Path> resolveWithMaven(
      String version, Path versionDirectory, Consumer<String> progress) throws IOException {
    Path maven =
        findExecutable("mvn", System.getenv("PATH"))
            .orElseThrow(
                () ->
                    new CassandraNodeException(
                        "Apache Maven ('mvn') is not on the PATH. Ferry uses it to download Apache"
                            + " Cassandra "
                            + version
                            + " (org.apache.cassandra:cassandra-all and its dependencies, about"
                            + " 66 MB) from Maven Central. Install Maven 3.8 or later and retry."));
    Path pom = versionDirectory.resolve("pom.xml");
    Files.writeString(pom, classpathPom(version), StandardCharsets.UTF_8);
    Path partialFile = versionDirectory.resolve(CLASSPATH_FILE + ".partial");
    Files.deleteIfExists(partialFile);

    progress.accept(
        "Resolving Apache Cassandra "
            + version
            + " with Maven (the first run downloads about 66 MB from Maven Central)");
    long startNanos = System.nanoTime();
    List<String> command =
        List.of(
            maven.toString(),
            "-B",
            "-Dstyle.color=never",
            "-f",
            pom.toString(),
            BUILD_CLASSPATH_GOAL,
            "-Dmdep.outputFile=" + partialFile,
            "-Dmdep.includeScope=runtime");
    LOG.debug("Running {}", command);
    Process process =
        new ProcessBuilder(command)
            .directory(versionDirectory.toFile())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    Deque<String> lastLines = new ArrayDeque<>();
    try (BufferedReader output =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = output.readLine()) != null) {
        LOG.debug("[mvn] {}", line);
        if (lastLines.size() == MAVEN_OUTPUT_LINES_KEPT) {
          lastLines.removeFirst();
        }
        lastLines.addLast(line);
        if (line.contains("Downloading from") || line.contains("Downloaded from")) {
          progress.accept(line.replaceFirst("^\\[INFO\\] ", ""));
        }
      }
    }
    int status;
    try {
      status = process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CassandraNodeException("Interrupted while resolving Cassandra " + version, e);
    }
    if (status != 0 || !Files.isRegularFile(partialFile)) {
      throw new CassandraNodeException(
          "Maven could not resolve org.apache.cassandra:cassandra-all:"
              + version
              + " (mvn exited with status "
              + status
              + "; pom: "
              + pom
              + "). Last lines of its output:\n"
              + String.join("\n", lastLines));
    }
    Optional<List<Path>> jars = readClasspath(partialFile, progress);
    if (jars.isEmpty()) {
      throw new CassandraNodeException(
          "Maven wrote an unusable classpath for Cassandra " + version + " to " + partialFile);
    }
    Files.move(
        partialFile,
        versionDirectory.resolve(CLASSPATH_FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    progress.accept(
        String.format(
            "Resolved Apache Cassandra %s: %d jars in %.1f s",
            version, jars.get().size(), elapsed.toMillis() / 1000.0));
    return jars.get();
  }

  static Optional<Path> findExecutable(String name, String searchPath) {
    if (searchPath == null) {
      return Optional.empty();
    }
    return Arrays.stream(searchPath.split(Pattern.quote(File.pathSeparator)))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Path.of(entry, name))
        .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        .findFirst();
  }

  static String classpathPom(String version) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Written by Ferry to resolve the classpath of Apache Cassandra %1$s; safe to delete. -->
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>io.ferry.cache</groupId>
          <artifactId>cassandra-classpath</artifactId>
          <version>%1$s</version>
          <packaging>pom</packaging>
          <dependencies>
            <dependency>
              <groupId>org.apache.cassandra</groupId>
              <artifactId>cassandra-all</artifactId>
              <version>%1$s</version>
            </dependency>
          </dependencies>
        </project>
        """
        .formatted(version);
  }
}
