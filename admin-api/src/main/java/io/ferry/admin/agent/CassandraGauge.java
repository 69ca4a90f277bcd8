package io.ferry.admin.agent;

/**
 * A gauge of Cassandra's metrics as JMX exposes it ({@code JmxReporter.JmxGaugeMBean}), e.g. {@code
 * org.apache.cassandra.metrics:type=Compaction,name=PendingTasks}.
 */
public interface CassandraGauge {

  Object getValue();
}
