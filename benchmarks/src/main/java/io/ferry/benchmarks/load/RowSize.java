package io.ferry.benchmarks.load;

/** The size of the value each row carries; each has its own table, so reads return that size. */
enum RowSize {
  SMALL("small", 16),
  ONE_KB("1k", 1024);

  private final String label;
  private final int valueBytes;

  RowSize(String label, int valueBytes) {
    this.label = label;
    this.valueBytes = valueBytes;
  }

  String label() {
    return label;
  }

  int valueBytes() {
    return valueBytes;
  }

  /** The key-value table of this row size. */
  String table() {
    return Schema.KEYSPACE + ".kv_" + label;
  }

  static RowSize fromLabel(String label) {
    for (RowSize size : values()) {
      if (size.label.equals(label)) {
        return size;
      }
    }
    throw new IllegalArgumentException("unknown row size '" + label + "' (expected small or 1k)");
  }
}
