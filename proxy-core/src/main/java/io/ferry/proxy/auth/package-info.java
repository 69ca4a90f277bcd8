/**
 * Authentication through Ferry: which cluster a client's credentials are for, the SASL exchanges
 * Ferry runs itself with its configured credentials (plain text, including DSE's {@code PLAIN}
 * mechanism negotiation), and the replay of a client's tokens on Ferry's extra connections
 * (mirrored reads).
 *
 * <p>Tokens hold passwords: nothing here logs them or puts them in exception messages.
 *
 * <p>Thread policy: an {@link io.ferry.proxy.auth.ClusterAuthentication} is confined to the event
 * loop of its cluster connection; authenticators are used by one exchange at a time.
 */
package io.ferry.proxy.auth;
