package io.ferry.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraDistributionTest {

  @TempDir Path temporary;

  @Test
  void should_reuse_the_cached_classpath_when_every_jar_exists() throws IOException {
    // given
    Path cassandraJar = Files.createFile(temporary.resolve("cassandra-all-5.0.6.jar"));
    Path jammJar = Files.createFile(temporary.resolve("jamm-0.4.0.jar"));
    Path versionDirectory = Files.createDirectories(temporary.resolve("cache/cassandra/5.0.6"));
    Files.writeString(
        versionDirectory.resolve("classpath.txt"), cassandraJar + File.pathSeparator + jammJar);
    List<String> progress = new ArrayList<>();

    // when
    CassandraDistribution distribution =
        CassandraDistribution.resolve("5.0.6", temporary.resolve("cache"), progress::add);

    // then
    assertThat(distribution.version()).isEqualTo("5.0.6");
    assertThat(distribution.classpath()).containsExactly(cassandraJar, jammJar);
    assertThat(distribution.jammAgent()).contains(jammJar);
    assertThat(progress).isEmpty();
  }

  @Test
  void should_not_reuse_a_cached_classpath_that_lists_a_missing_jar() throws IOException {
    // given
    Path classpathFile = temporary.resolve("classpath.txt");
    Files.writeString(classpathFile, temporary.resolve("gone.jar").toString());
    List<String> progress = new ArrayList<>();

    // when
    var cached = CassandraDistribution.readClasspath(classpathFile, progress::add);

    // then
    assertThat(cached).isEmpty();
    assertThat(progress).singleElement().asString().contains("missing jar").contains("gone.jar");
  }

  @Test
  void should_reject_a_version_that_is_not_a_maven_version() {
    assertThatThrownBy(() -> CassandraDistribution.resolve("../5", temporary, line -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cassandra version: '../5' (expected: a Maven version such as 5.0.6)");
  }

  @Test
  void should_prefer_the_environment_then_the_property_then_the_home_cache() {
    // given
    Properties properties = new Properties();
    properties.setProperty("user.home", "/home/ferry");

    // when
    Path fromHome = CassandraDistribution.defaultCacheDirectory(Map.of(), properties);
    properties.setProperty("ferry.cache.dir", "/property");
    Path fromProperty = CassandraDistribution.defaultCacheDirectory(Map.of(), properties);
    Path fromEnvironment =
        CassandraDistribution.defaultCacheDirectory(
            Map.of("FERRY_CACHE_DIR", "/environment"), properties);

    // then
    assertThat(fromHome).isEqualTo(Path.of("/home/ferry/.cache/ferry"));
    assertThat(fromProperty).isEqualTo(Path.of("/property"));
    assertThat(fromEnvironment).isEqualTo(Path.of("/environment"));
  }

  @Test
  void should_default_to_the_cassandra_version_of_the_build() {
    // when
    String version = CassandraDistribution.defaultVersion();

    // then
    assertThat(version).matches("[0-9]+\\.[0-9]+\\.[0-9]+.*");
  }

  @Test
  void should_find_an_executable_on_the_search_path() throws IOException {
    // given
    Path bin = Files.createDirectories(temporary.resolve("bin"));
    Path maven = Files.createFile(bin.resolve("mvn"));
    maven.toFile().setExecutable(true);

    // when
    var found =
        CassandraDistribution.findExecutable(
            "mvn", temporary.resolve("empty") + File.pathSeparator + bin);
    var missing =
        CassandraDistribution.findExecutable("mvn", temporary.resolve("empty").toString());

    // then
    assertThat(found).contains(maven);
    assertThat(missing).isEmpty();
  }

  @Test
  void should_write_a_pom_that_depends_on_cassandra_all() {
    // when
    String pom = CassandraDistribution.classpathPom("5.0.6");

    // then
    assertThat(pom)
        .contains("<artifactId>cassandra-all</artifactId>")
        .contains("<version>5.0.6</version>");
  }
}
