/**
 * Full encoding and decoding of protocol messages with the DataStax native-protocol library, for
 * what Ferry generates or inspects completely (errors, SUPPORTED, system-table rows, STARTUP
 * bodies, control-connection traffic); never used on the forwarding path.
 */
package io.ferry.proxy.message;
