package io.ferry.admin.repair;

import java.util.List;
import java.util.Set;

/**
 * What a repair cycle is planned from: the ring's layout and the cluster's replicated tables, each
 * with its token ranges, replicas and size ({@link DriverRepairTargets} reads them from the Java
 * driver's metadata).
 *
 * <p>Thread policy: may block; the service's thread or a worker.
 */
interface RepairTargets {

  /**
   * What identifies the ring's layout (every node and its tokens); changes when a node joins,
   * leaves or moves.
   *
   * @throws io.ferry.admin.errors.UnavailableException when the ring is not known yet
   */
  String ringFingerprint();

  /** How many nodes the ring has. */
  int nodeCount();

  /**
   * Every table to repair: those of every keyspace but system and virtual ones and {@code
   * excludedKeyspaces}, in keyspace and table order.
   */
  List<CyclePlanner.TableRanges> tables(Set<String> excludedKeyspaces);
}
