/**
 * Configuration: every setting declared once ({@link io.ferry.proxy.config.ProxyOption} and {@code
 * reference.conf}), loaded from a HOCON file and the ZDM Proxy's {@code ZDM_*} environment
 * variables, and validated at start-up.
 */
package io.ferry.proxy.config;
