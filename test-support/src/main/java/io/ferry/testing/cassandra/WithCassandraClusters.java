package io.ferry.testing.cassandra;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the run's shared origin and target clusters as a {@link CassandraClusters}
 * parameter:
 *
 * <pre>{@code
 * @WithCassandraClusters
 * class ProxyIT {
 *   @Test
 *   void should_forward_writes_to_both_clusters(CassandraClusters clusters) {
 *     CassandraNode origin = clusters.origin();
 *     ...
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CassandraClustersExtension.class)
public @interface WithCassandraClusters {

  /**
   * Whether the class uses the shared origin and target. A class that starts only dedicated nodes
   * sets it to false: the shared nodes then start only if another class of the run needs them (or
   * it calls {@link CassandraClusters#origin()} or {@link CassandraClusters#target()}).
   */
  boolean sharedNodes() default true;
}
