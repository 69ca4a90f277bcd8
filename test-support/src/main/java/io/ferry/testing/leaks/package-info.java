/**
 * Netty leak reports turned into test failures, for every test of a module that has test-support on
 * its test classpath.
 */
package io.ferry.testing.leaks;
