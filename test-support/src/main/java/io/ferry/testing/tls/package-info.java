/**
 * Certificates for TLS tests, generated on the fly: certificate authorities, node and client
 * certificates (valid, expired, issued for the wrong address), as PEM files for Ferry and PKCS12
 * stores for Cassandra.
 */
package io.ferry.testing.tls;
