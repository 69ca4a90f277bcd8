package io.ferry.benchmarks.load;

import java.util.Locale;

/**
 * What each request of a run does. All statements work on the benchmark keyspace, {@value
 * Schema#KEYSPACE}; reads find rows that were written before the run.
 */
enum Workload {
  /** A prepared single-row SELECT by partition key. */
  PREPARED_READ(false),
  /** A prepared single-row INSERT. */
  PREPARED_WRITE(true),
  /** The same INSERT as CQL text with literal values, so every request is parsed by the nodes. */
  SIMPLE_WRITE(true),
  /** An unlogged batch of {@value Schema#BATCH_ROWS} prepared INSERTs into one partition. */
  UNLOGGED_BATCH(true),
  /** 90% prepared reads, 10% prepared writes. */
  MIXED(true);

  private final boolean writes;

  Workload(boolean writes) {
    this.writes = writes;
  }

  /** Whether the workload writes, so that dual writes concern it. */
  boolean writes() {
    return writes;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static Workload fromLabel(String label) {
    for (Workload workload : values()) {
      if (workload.label().equals(label)) {
        return workload;
      }
    }
    throw new IllegalArgumentException(
        "unknown workload '" + label + "' (expected one of " + labels() + ")");
  }

  static String labels() {
    StringBuilder labels = new StringBuilder();
    for (Workload workload : values()) {
      labels.append(labels.length() == 0 ? "" : ", ").append(workload.label());
    }
    return labels.toString();
  }
}
