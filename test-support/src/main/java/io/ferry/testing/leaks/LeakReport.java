package io.ferry.testing.leaks;

/**
 * One leak that Netty's leak detector reported: a reference-counted object garbage-collected while
 * its count was still positive.
 *
 * @param resourceType the simple name of the leaked type, for example {@code ByteBuf}
 * @param records where the object was created and last touched, empty if it was not traced
 */
public record LeakReport(String resourceType, String records) {

  @Override
  public String toString() {
    String leak =
        "LEAK: " + resourceType + ".release() was not called before it was garbage-collected.";
    return records.isEmpty() ? leak + " (no access records)" : leak + records;
  }
}
