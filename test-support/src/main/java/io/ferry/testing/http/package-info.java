/** HTTP calls of tests that poll Ferry's endpoints while it starts, stops or restarts. */
package io.ferry.testing.http;
