/** Request classification and routing: which cluster(s) each request goes to. */
package io.ferry.proxy.routing;
