/**
 * Starting and stopping a node's database process with the command templates configured for its
 * cluster ({@code {ip}} standing for the node's address), and waiting until it is down or answers
 * CQL again.
 */
package io.ferry.admin.process;
