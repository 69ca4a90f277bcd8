/** Liveness and readiness endpoints, with the ZDM Proxy's paths, JSON shape and status codes. */
package io.ferry.admin.health;
