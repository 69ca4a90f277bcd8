/**
 * The real origin and target Cassandra clusters that integration tests share, as a JUnit 5
 * extension.
 */
package io.ferry.testing.cassandra;
