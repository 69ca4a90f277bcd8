/** The proxy's routing, read and switched at runtime through the admin API. */
package io.ferry.admin.routing;
