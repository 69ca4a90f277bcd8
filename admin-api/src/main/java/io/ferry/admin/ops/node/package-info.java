/**
 * What each node action does to its node, one class per action, through the cluster's {@code
 * NodeAgent} and its node process commands.
 */
package io.ferry.admin.ops.node;
