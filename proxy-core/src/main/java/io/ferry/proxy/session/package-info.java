/**
 * What a client connection works with: the instance-wide {@link
 * io.ferry.proxy.session.ProxyContext} every connection shares, and the {@link
 * io.ferry.proxy.session.ClientSession} its handshake and its request exchange share (protocol
 * version, keyspace, backend connections, credentials, output).
 */
package io.ferry.proxy.session;
