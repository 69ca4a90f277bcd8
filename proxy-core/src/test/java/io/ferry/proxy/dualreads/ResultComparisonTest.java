package io.ferry.proxy.dualreads;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants.DataType;
import com.datastax.oss.protocol.internal.response.result.RawType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResultComparisonTest {

  private static List<ByteBuffer> row(String... values) {
    return java.util.Arrays.stream(values)
        .map(
            value -> value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  @Test
  void should_find_the_same_rows_in_another_order_equal_when_the_query_fixes_no_order() {
    // given
    var primary = List.of(row("a", "1"), row("b", "2"), row("b", "2"));
    var secondary = List.of(row("b", "2"), row("a", "1"), row("b", "2"));
    // then
    assertThat(ResultComparison.compare(primary, secondary, false)).isNull();
    assertThat(ResultComparison.compare(primary, secondary, true)).isNotNull();
  }

  @Test
  void should_name_the_first_row_each_side_has_that_the_other_lacks() {
    // given
    var primary = List.of(row("a", "1"), row("b", "2"), row("c", "3"));
    var secondary = List.of(row("a", "1"), row("b", "changed"), row("c", "3"));
    // when
    ResultComparison.Difference difference = ResultComparison.compare(primary, secondary, false);
    // then
    assertThat(difference.onlyPrimary()).isEqualTo(row("b", "2"));
    assertThat(difference.onlySecondary()).isEqualTo(row("b", "changed"));
    assertThat(difference.primaryRows()).isEqualTo(3);
  }

  @Test
  void should_see_a_missing_row_and_a_duplicate_as_differences() {
    // given
    var primary = List.of(row("a", "1"), row("b", "2"));
    var secondary = List.of(row("a", "1"));
    var duplicated = List.of(row("a", "1"), row("a", "1"));
    // then
    ResultComparison.Difference missing = ResultComparison.compare(primary, secondary, false);
    assertThat(missing.onlyPrimary()).isEqualTo(row("b", "2"));
    assertThat(missing.onlySecondary()).isNull();
    assertThat(ResultComparison.compare(duplicated, secondary, false)).isNotNull();
    assertThat(ResultComparison.compare(List.of(row("a", null)), List.of(row("a", null)), true))
        .isNull();
  }

  @Test
  void should_write_values_as_cqlsh_shows_them() {
    assertThat(
            CqlValues.format(
                ByteBuffer.wrap("it's".getBytes(StandardCharsets.UTF_8)), type(DataType.VARCHAR)))
        .isEqualTo("'it''s'");
    assertThat(CqlValues.format(ByteBuffer.allocate(4).putInt(0, 42), type(DataType.INT)))
        .isEqualTo("42");
    UUID uuid = UUID.randomUUID();
    assertThat(
            CqlValues.format(
                ByteBuffer.allocate(16)
                    .putLong(0, uuid.getMostSignificantBits())
                    .putLong(8, uuid.getLeastSignificantBits()),
                type(DataType.UUID)))
        .isEqualTo(uuid.toString());
    assertThat(CqlValues.format(ByteBuffer.wrap(new byte[] {1, (byte) 0xAB}), type(DataType.BLOB)))
        .isEqualTo("0x01ab");
    assertThat(CqlValues.format(null, type(DataType.INT))).isEqualTo("null");
    assertThat(CqlValues.format(ByteBuffer.wrap(new byte[] {1, 2}), type(DataType.INT)))
        .isEqualTo("0x0102");
  }

  private static RawType type(int id) {
    return RawType.PRIMITIVES.get(id);
  }
}
