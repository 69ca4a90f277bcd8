/**
 * A ready client connection's requests, from the client's frame to the client's answer: {@link
 * io.ferry.proxy.exchange.RequestDispatcher} (what becomes of each request), {@link
 * io.ferry.proxy.exchange.Forwarder} (to the clusters without copying), {@link
 * io.ferry.proxy.exchange.InFlightTable} (requests in flight: their answers, deadlines and
 * failures), {@link io.ferry.proxy.exchange.ResponseAggregator} (the one answer the client gets),
 * {@link io.ferry.proxy.exchange.RequestOutcomes} (metrics and partial writes) and {@link
 * io.ferry.proxy.exchange.Repreparation} (statements a cluster forgot). Each class's Javadoc says
 * which buffers it owns.
 */
package io.ferry.proxy.exchange;
