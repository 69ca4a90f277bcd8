/**
 * Authentication through Ferry: which cluster a client's credentials are for, the SASL
 * authenticators Ferry uses with its configured credentials (plain text, including DSE's {@code
 * PLAIN} mechanism negotiation), and the replay of a client's tokens on Ferry's extra connections
 * (mirrored reads). The exchanges themselves run in {@link
 * io.ferry.proxy.backend.BackendHandshake}.
 *
 * <p>Tokens hold passwords: nothing here logs them or puts them in exception messages.
 *
 * <p>Thread policy: authenticators are used by one exchange at a time.
 */
package io.ferry.proxy.auth;
