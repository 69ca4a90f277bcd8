package io.ferry.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc}: what a process costs
 * the machine, whatever runs inside it.
 */
record ProcessStats(long pid, double cpuSeconds, long rssBytes) {

  /** Clock ticks per second of {@code /proc/PID/stat}'s times; 100 on every Linux we run on. */
  private static final double CLOCK_TICKS = 100.0;

  static ProcessStats of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name, in parentheses, may contain spaces: fields count from after it
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
      long rss = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      return new ProcessStats(pid, ticks / CLOCK_TICKS, rss);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc of process " + pid, e);
    }
  }

  static ProcessStats self() {
    return of(ProcessHandle.current().pid());
  }

  /** CPU seconds used since an earlier reading. */
  double cpuSince(ProcessStats earlier) {
    return cpuSeconds - earlier.cpuSeconds;
  }
}
