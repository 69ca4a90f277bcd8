package io.ferry.proxy.exchange;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.CqlClient;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.routing.PreparedIds;
import io.ferry.proxy.routing.PreparedStatement;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster that answers UNPREPARED to an EXECUTE or BATCH (restarted, or its prepared-statement
 * cache evicted the statement) has the statement prepared again by Ferry, with the query string
 * Ferry kept, and the request sent to it again: the client never sees the UNPREPARED. Letting the
 * client prepare again and retry instead would apply a write twice on the cluster that had not
 * forgotten it, and count it as a write failed on one cluster.
 *
 * <p>Ferry gives up (and the client gets the cluster's UNPREPARED, naming the id the client knows)
 * when it does not know the statement, when the cluster gives it another id than before (Cassandra
 * derives ids from the query, so it does not), after {@value #MAX_REPREPARES} rounds for one
 * request, or when the PREPARE fails.
 *
 * <p>Buffer ownership: {@link #recover} takes the UNPREPARED answer when it returns true, and
 * releases it once the statement is prepared again (or hands it back to the request when it gives
 * up).
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
public final class Repreparation {

  private static final Logger LOG = LoggerFactory.getLogger(Repreparation.class);

  /** Enough for a BATCH of statements forgotten together; a cluster forgetting more is broken. */
  static final int MAX_REPREPARES = 4;

  private final ClientSession session;
  private final ProxyContext context;
  private final InFlightTable table;
  private final Forwarder forwarder;

  public Repreparation(ClientSession session, InFlightTable table, Forwarder forwarder) {
    this.session = session;
    this.context = session.context();
    this.table = table;
    this.forwarder = forwarder;
  }

  /** Whether requests of this opcode can be sent again. */
  static boolean canResend(int opcode) {
    return opcode == Opcode.EXECUTE || opcode == Opcode.BATCH;
  }

  /**
   * Starts preparing again the statement a cluster says it forgot, if Ferry can.
   *
   * @param answer the cluster's answer to {@code request}
   * @return whether it started: the answer is then taken, and the request still awaits the
   *     cluster's answer
   */
  boolean recover(InFlightRequest request, BackendConnection from, ByteBuf answer) {
    int position = PreparedIds.unpreparedIdPosition(answer);
    if (position < 0
        || request.sentFrame == null
        || request.reprepares >= MAX_REPREPARES
        || !from.isOpen()) {
      return false;
    }
    byte[] clusterId = ProtocolPrimitives.getShortBytes(answer, position);
    ClusterRole cluster = from.role();
    PreparedStatement prepared =
        context
            .preparedStatements()
            .get(
                cluster == ClusterRole.ORIGIN
                    ? clusterId
                    : context.preparedStatements().originIdOf(clusterId));
    if (prepared == null || prepared.query() == null) {
      return false;
    }
    request.reprepares++;
    setRepreparing(request, cluster, true);
    int generation = request.generation;
    LOG.debug(
        "[client {}] {} forgot prepared statement {}: preparing it again",
        session.label(),
        from,
        prepared.query());
    new CqlClient(from, context.codec())
        .send(prepareMessage(prepared))
        .whenComplete(
            (frame, failure) -> {
              if (request.generation != generation || request.finished) {
                // The request ended meanwhile (timed out, or its client connection closed).
                answer.release();
                return;
              }
              setRepreparing(request, cluster, false);
              byte[] expected =
                  cluster == ClusterRole.ORIGIN ? prepared.originId() : prepared.targetId();
              boolean sameId =
                  failure == null
                      && frame.message instanceof Prepared answered
                      && Arrays.equals(answered.preparedQueryId, expected);
              if (sameId && forwarder.resend(request, from)) {
                answer.release();
                return;
              }
              LOG.debug(
                  "[client {}] could not prepare the statement again on {}: {}",
                  session.label(),
                  from,
                  failure != null ? failure.getMessage() : String.valueOf(frame.message));
              table.accept(request, from, answer);
              session.flush();
            });
    return true;
  }

  private Prepare prepareMessage(PreparedStatement prepared) {
    // v5 and DSE_V2 name the keyspace in the PREPARE; earlier versions resolve unqualified names
    // in the connection's keyspace, which is the one the client prepared the statement in.
    if (session.protocolVersion().hasKeyspaceInRequest() && prepared.keyspace() != null) {
      return new Prepare(prepared.query(), prepared.keyspace());
    }
    return new Prepare(prepared.query());
  }

  private static void setRepreparing(InFlightRequest request, ClusterRole cluster, boolean on) {
    if (cluster == ClusterRole.ORIGIN) {
      request.originRepreparing = on;
    } else {
      request.targetRepreparing = on;
    }
  }
}
