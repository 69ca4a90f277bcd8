/**
 * Dual reads: reads served by the primary cluster mirrored, fire-and-forget, to the secondary over
 * a connection of their own, and the two answers compared to find where the clusters diverge.
 */
package io.ferry.proxy.dualreads;
