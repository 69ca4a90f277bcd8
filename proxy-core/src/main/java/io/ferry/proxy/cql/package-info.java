/**
 * Reading CQL text without parsing it whole: the lexer, the classification of a statement (kind,
 * keyspace, table) straight from a frame's bytes, and the few clauses Ferry needs (SELECT lists,
 * ORDER BY, {@code now()} calls).
 */
package io.ferry.proxy.cql;
