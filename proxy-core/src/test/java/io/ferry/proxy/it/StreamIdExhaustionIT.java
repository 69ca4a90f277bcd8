package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@WithCassandraClusters
class StreamIdExhaustionIT {

  @Test
  void should_answer_overloaded_when_a_cluster_connection_has_no_free_stream_id(
      CassandraClusters clusters) throws Exception {
    // given a Ferry with 2 stream ids per cluster connection
    try (RunningProxy ferry = RunningProxy.start(Map.of("ZDM_PROXY_MAX_STREAM_IDS", "2"));
        CqlSession session = ferry.session()) {
      // when 200 reads are sent at once on one connection
      List<CompletableFuture<AsyncResultSet>> reads = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        CompletionStage<AsyncResultSet> read =
            session.executeAsync("SELECT keyspace_name FROM system_schema.keyspaces");
        reads.add(read.toCompletableFuture());
      }
      // then every read completes: answered, or refused with OVERLOADED naming the limit
      int answered = 0;
      int overloaded = 0;
      for (CompletableFuture<AsyncResultSet> read : reads) {
        try {
          read.get(30, TimeUnit.SECONDS);
          answered++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(OverloadedException.class);
          assertThat(e.getCause().getMessage())
              .contains("Ferry has no free stream id on its connection to origin")
              .contains("max-stream-ids is 2");
          overloaded++;
        }
      }
      assertThat(overloaded).isPositive();
      assertThat(answered).isPositive();
      assertThat(answered + overloaded).isEqualTo(200);
      // and the connection serves normally afterwards
      assertThat(session.execute("SELECT cluster_name FROM system.local").one()).isNotNull();
    }
  }
}
