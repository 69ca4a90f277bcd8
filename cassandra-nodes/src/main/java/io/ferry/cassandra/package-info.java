/**
 * Starting and stopping real Apache Cassandra nodes on loopback addresses from the Maven Central
 * jars, for the quickstart and the integration tests.
 */
package io.ferry.cassandra;
