package io.ferry.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ansible-lint (production profile, configured in {@code ansible/.ansible-lint}) and {@code
 * ansible-playbook --syntax-check} pass over every playbook of {@code ansible/}.
 */
class PlaybookLintIT {

  private static final Path ANSIBLE =
      Path.of(System.getProperty("ferry.ansible.directory", "../ansible")).toAbsolutePath();
  private static final List<String> PLAYBOOKS =
      List.of(
          "deploy_ferry.yml",
          "rolling_update_ferry.yml",
          "rolling_restart_ferry.yml",
          "deploy_monitoring.yml");

  @Test
  void should_pass_ansible_lint(@TempDir Path directory) throws Exception {
    // when
    Result lint = run(directory, "ansible-lint", "--nocolor");

    // then
    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.output()).contains("Passed with production profile");
  }

  @Test
  void should_pass_the_syntax_check_of_every_playbook(@TempDir Path directory) throws Exception {
    for (String playbook : PLAYBOOKS) {
      // when
      Result check =
          run(directory, "ansible-playbook", "--syntax-check", "-i", "inventory.example", playbook);

      // then
      assertThat(check.exitCode()).as(check.output()).isZero();
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Path directory, String... command) throws Exception {
    Path output = directory.resolve(command[0] + ".log");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(ANSIBLE.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          command[0]
              + " cannot be run ("
              + e.getMessage()
              + "): install the Debian packages ansible and ansible-lint (as .ci/run does)",
          e);
    }
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("%s finishes", command[0]).isTrue();
    return new Result(process.exitValue(), Files.readString(output));
  }
}
