package io.ferry.admin.nodesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.admin.http.ErrorMapping;
import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.nodesync.TableSelection.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableSelectionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TableCatalog CATALOG =
      new TableCatalog(
          List.of(
              keyspace(
                  "shop",
                  Map.of("class", "SimpleStrategy", "replication_factor", "2"),
                  "a",
                  "b",
                  "c"),
              keyspace(
                  "geo", Map.of("class", "NetworkTopologyStrategy", "dc1", "1", "dc2", "1"), "x"),
              keyspace(
                  "scratch", Map.of("class", "SimpleStrategy", "replication_factor", "1"), "tmp"),
              keyspace("system", Map.of("class", "LocalStrategy"), "local", "peers")));

  private static TableCatalog.Keyspace keyspace(
      String name, Map<String, String> replication, String... tables) {
    return new TableCatalog.Keyspace(name, replication, false, List.of(tables));
  }

  private static Map<String, Action> resolve(String body, int max) throws Exception {
    return TableSelection.resolve(JSON.readTree(body), CATALOG, max);
  }

  @Test
  void should_classify_system_and_single_replica_tables_as_ineligible() {
    assertThat(CATALOG.tables(TableCatalog.Kind.ELIGIBLE))
        .containsExactly("geo.x", "shop.a", "shop.b", "shop.c");
    assertThat(CATALOG.tables(TableCatalog.Kind.RF1)).containsExactly("scratch.tmp");
    assertThat(CATALOG.tables(TableCatalog.Kind.SYSTEM))
        .containsExactly("system.local", "system.peers");
  }

  @Test
  void should_expand_wildcards_and_apply_incremental_over_enable_over_disable() throws Exception {
    // when
    Map<String, Action> actions =
        resolve(
            "{\"disable\": [\"*\"], \"enable\": [\"shop.*\"], \"incremental\": [\"shop.b\"]}", 50);
    // then
    assertThat(actions)
        .containsExactly(
            Map.entry("geo.x", Action.DISABLE),
            Map.entry("shop.a", Action.ENABLE),
            Map.entry("shop.b", Action.INCREMENTAL),
            Map.entry("shop.c", Action.ENABLE));
  }

  @Test
  void should_refuse_more_tables_than_the_limit_with_opscenters_exact_error() {
    // when
    Throwable error =
        org.assertj.core.api.Assertions.catchThrowable(() -> resolve("{\"enable\": [\"*\"]}", 3));
    // then
    var response =
        ErrorMapping.toResponse(
            new HttpRequest("POST", "/origin/nodesync", Map.of(), Map.of(), new byte[0], "test"),
            error);
    JsonNode body = JSON.valueToTree(response.body());
    assertThat(response.status()).isEqualTo(400);
    assertThat(body.toString())
        .isEqualTo(
            "{\"brief\":\"error\",\"message\":\"Please select fewer tables and try again. To"
                + " maximize performance, OpsCenter has been configured to limit the number of"
                + " concurrent updates to 3 tables. The total number of tables to process in this"
                + " request, after expanding wild card selectors, was 4.\","
                + "\"type\":\"InvalidArguments\"}");
  }

  @Test
  void should_name_what_is_wrong_with_a_selector() {
    assertThatThrownBy(() -> resolve("{\"enable\": [\"shop.nope\"]}", 50))
        .hasMessageContaining("shop.nope does not exist");
    assertThatThrownBy(() -> resolve("{\"enable\": [\"ghost.*\"]}", 50))
        .hasMessageContaining("keyspace ghost");
    assertThatThrownBy(() -> resolve("{\"enable\": [\"system.local\"]}", 50))
        .hasMessageContaining("system table");
    assertThatThrownBy(() -> resolve("{\"enable\": [\"scratch.tmp\"]}", 50))
        .hasMessageContaining("single replica");
    assertThatThrownBy(() -> resolve("{\"enable\": [\"shop\"]}", 50))
        .hasMessageContaining("not a table selector");
    assertThatThrownBy(() -> resolve("{\"enable\": \"shop.a\"}", 50))
        .hasMessageContaining("expected a JSON list");
    assertThatThrownBy(() -> resolve("{\"enabled\": [\"shop.a\"]}", 50))
        .hasMessageContaining("unknown field enabled");
    assertThatThrownBy(() -> resolve("{}", 50)).hasMessageContaining("at least one of");
  }
}
