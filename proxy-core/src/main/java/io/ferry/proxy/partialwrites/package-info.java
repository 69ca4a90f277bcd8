/**
 * Writes that failed on one cluster only, which leave the clusters different until the rows are
 * copied again: reported per table at WARN, so that operators know what to repair.
 */
package io.ferry.proxy.partialwrites;
