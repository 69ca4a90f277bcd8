package io.ferry.proxy.exchange;

import io.ferry.proxy.cql.CqlStatement;

/**
 * What a PREPARE will be remembered as once both clusters answered PREPARED.
 *
 * @param query the query string, to prepare it again on a cluster that forgets it
 * @param nowMarkers the bind markers Ferry put in place of {@code now()} calls
 * @param ordered whether a SELECT fixes the order of its rows
 */
record PendingPreparation(
    CqlStatement statement, String keyspace, String query, int[] nowMarkers, boolean ordered) {}
