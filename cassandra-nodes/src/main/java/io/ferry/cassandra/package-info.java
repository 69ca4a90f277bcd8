/**
 * Starting and stopping real Apache Cassandra nodes on loopback addresses (or in a network
 * namespace a test made) from the Maven Central jars, for the quickstart and the integration tests.
 */
package io.ferry.cassandra;
