/**
 * What can go wrong with an admin request, in the domain's words; {@code http/ErrorMapping} alone
 * turns each into an HTTP status and an error body.
 */
package io.ferry.admin.errors;
