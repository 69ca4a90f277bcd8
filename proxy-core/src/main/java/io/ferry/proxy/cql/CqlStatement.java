package io.ferry.proxy.cql;

import java.util.Objects;

/**
 * What {@link StatementClassifier} found in a CQL string: the kind of statement and, where cheap to
 * find, the keyspace and table it names.
 *
 * @param kind what the statement does, as far as routing cares
 * @param keyspace the keyspace the statement names explicitly ({@code ks} in {@code ks.t}, or in
 *     {@code USE ks}); null when unqualified or not extracted for this kind. The session's current
 *     keyspace is not applied here.
 * @param table the table a SELECT reads or a single INSERT, UPDATE or DELETE writes; null when
 *     absent, unrecognisable, or not extracted (BATCH, USE, OTHER)
 */
public record CqlStatement(Kind kind, String keyspace, String table) {

  public enum Kind {
    SELECT,
    INSERT,
    UPDATE,
    DELETE,
    /** {@code BEGIN [UNLOGGED | COUNTER] BATCH ... APPLY BATCH}. */
    BATCH,
    USE,
    /** {@code CALL InsightsRpc.*}: the DataStax drivers' Insights reports. */
    INSIGHTS_RPC_CALL,
    /** DDL, GRANT, TRUNCATE, any other CALL, DSE Graph, empty or unrecognisable text. */
    OTHER
  }

  private static final CqlStatement[] WITHOUT_NAMES = new CqlStatement[Kind.values().length];

  static {
    for (Kind kind : Kind.values()) {
      WITHOUT_NAMES[kind.ordinal()] = new CqlStatement(kind, null, null);
    }
  }

  public CqlStatement {
    Objects.requireNonNull(kind, "kind");
  }

  /** The shared result for a statement of this kind that names no keyspace or table. */
  static CqlStatement withoutNames(Kind kind) {
    return WITHOUT_NAMES[kind.ordinal()];
  }
}
