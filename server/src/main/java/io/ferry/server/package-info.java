/** The runnable Ferry: command line, assembly of proxy and HTTP servers, logging, quickstart. */
package io.ferry.server;
