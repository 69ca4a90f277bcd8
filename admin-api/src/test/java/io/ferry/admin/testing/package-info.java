/**
 * Test doubles of what the admin API reaches beyond its own process (nodes, stores, lease tables),
 * in memory, so that its logic is tested in milliseconds.
 */
package io.ferry.admin.testing;
