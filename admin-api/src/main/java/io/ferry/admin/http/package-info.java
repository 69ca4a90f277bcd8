/**
 * The HTTP server shared by Ferry's APIs: one route table per server, JSON bodies, and one mapping
 * from failures to status codes and OpsCenter-shaped error bodies.
 */
package io.ferry.admin.http;
