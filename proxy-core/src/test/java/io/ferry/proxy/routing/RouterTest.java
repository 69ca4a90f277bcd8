package io.ferry.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Destination;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.cql.StatementClassifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouterTest {

  @ParameterizedTest(name = "{0} (keyspace {1}) -> {2} / primary TARGET, system TARGET: {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "SELECT * FROM ks.t WHERE k = 1                  | null   | ORIGIN | TARGET",
        "SELECT * FROM t                                 | ks     | ORIGIN | TARGET",
        "SELECT * FROM t                                 | null   | ORIGIN | TARGET",
        "SELECT * FROM system.local                      | null   | FERRY  | FERRY",
        "SELECT * FROM system.peers                      | null   | FERRY  | FERRY",
        "SELECT * FROM system.peers_v2                   | null   | FERRY  | FERRY",
        "SELECT * FROM local                             | system | FERRY  | FERRY",
        "SELECT * FROM \"system\".\"local\"              | null   | FERRY  | FERRY",
        "SELECT * FROM \"System\".local                  | null   | ORIGIN | TARGET",
        "SELECT * FROM system_schema.keyspaces           | null   | ORIGIN | TARGET",
        "SELECT * FROM system.size_estimates             | null   | ORIGIN | TARGET",
        "SELECT * FROM system_auth.roles                 | null   | ORIGIN | TARGET",
        "SELECT * FROM dse_insights.tokens               | null   | ORIGIN | TARGET",
        "SELECT * FROM local                             | ks     | ORIGIN | TARGET",
        "INSERT INTO ks.t (k) VALUES (1)                 | null   | BOTH   | BOTH",
        "UPDATE ks.t SET v = 1 WHERE k = 1               | null   | BOTH   | BOTH",
        "DELETE FROM ks.t WHERE k = 1                    | null   | BOTH   | BOTH",
        "BEGIN BATCH INSERT INTO t (k) VALUES (1); APPLY BATCH | null | BOTH | BOTH",
        "USE ks                                          | null   | BOTH   | BOTH",
        "CREATE TABLE ks.t (k int PRIMARY KEY)           | null   | BOTH   | BOTH",
        "TRUNCATE ks.t                                   | null   | BOTH   | BOTH",
        "GRANT SELECT ON ks.t TO r                       | null   | BOTH   | BOTH",
        "this is not CQL                                 | null   | BOTH   | BOTH",
        "CALL InsightsRpc.reportInsight('x')             | null   | ACKNOWLEDGE | ACKNOWLEDGE",
        "CALL Other.rpc()                                | null   | BOTH   | BOTH",
      })
  void should_route_like_the_zdm_proxy(
      String cql, String keyspace, Destination originPrimary, Destination targetPrimary) {
    // given
    CqlStatement statement = StatementClassifier.classify(cql);
    Router originRouter = new Router(ClusterRole.ORIGIN, ClusterRole.ORIGIN);
    Router targetRouter = new Router(ClusterRole.TARGET, ClusterRole.TARGET);
    // when / then
    assertThat(originRouter.route(statement, keyspace)).isEqualTo(originPrimary);
    assertThat(targetRouter.route(statement, keyspace)).isEqualTo(targetPrimary);
  }

  @ParameterizedTest
  @CsvSource({
    "ORIGIN, TARGET, SELECT * FROM ks.t, ORIGIN",
    "ORIGIN, TARGET, SELECT * FROM system_schema.tables, TARGET",
    "TARGET, ORIGIN, SELECT * FROM system_schema.tables, ORIGIN",
    "TARGET, ORIGIN, SELECT * FROM ks.t, TARGET",
  })
  void should_send_system_reads_to_the_system_queries_cluster(
      ClusterRole primary, ClusterRole systemQueries, String cql, Destination expected) {
    assertThat(new Router(primary, systemQueries).route(StatementClassifier.classify(cql), null))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "SELECT * FROM system.local, ORIGIN",
    "SELECT * FROM ks.t, ORIGIN",
    "INSERT INTO ks.t (k) VALUES (?), BOTH"
  })
  void should_route_executions_of_prepared_system_table_reads_to_the_system_queries_cluster(
      String cql, Destination expected) {
    assertThat(
            new Router(ClusterRole.ORIGIN, ClusterRole.ORIGIN)
                .routeExecution(StatementClassifier.classify(cql), null))
        .isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void should_route_reads_to_the_new_primary_once_switched() {
    // given
    Router router = new Router(ClusterRole.ORIGIN, ClusterRole.ORIGIN);
    CqlStatement read = StatementClassifier.classify("SELECT * FROM ks.t");
    CqlStatement system = StatementClassifier.classify("SELECT * FROM system_schema.tables");
    // when
    router.setPrimary(ClusterRole.TARGET);
    // then reads follow, system reads and writes do not change
    assertThat(router.primary()).isEqualTo(ClusterRole.TARGET);
    assertThat(router.route(read, null)).isEqualTo(Destination.TARGET);
    assertThat(router.routeExecution(read, null)).isEqualTo(Destination.TARGET);
    assertThat(router.route(system, null)).isEqualTo(Destination.ORIGIN);
    assertThat(router.route(StatementClassifier.classify("INSERT INTO t (k) VALUES (1)"), null))
        .isEqualTo(Destination.BOTH);
  }
}
