/**
 * The vocabulary every other package shares: the two clusters of a migration by role, where a
 * request goes, the read modes, and how an endpoint is written in logs, errors and metric labels.
 */
package io.ferry.proxy.common;
