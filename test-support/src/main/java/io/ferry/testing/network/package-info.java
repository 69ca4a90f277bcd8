/**
 * Network namespaces that tests create for themselves, joined to the machine by a veth pair, so
 * that a test can cut the network between a process and the rest of the machine and restore it.
 */
package io.ferry.testing.network;
