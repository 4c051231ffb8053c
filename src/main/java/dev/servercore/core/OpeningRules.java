package dev.servercore.core;

import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * What an endpoint's connections go through before their session opens: a PROXY protocol header (a listener
 * behind a balancer), a TLS handshake (when TLS is on), each with its time limit in nanoseconds.
 *
 * @param proxyProtocol a PROXY protocol v2 header comes first
 * @param proxyTimeoutNanos how long after the connect the header must have arrived
 * @param tls one new TLS transport per connection, given the socket's peer; null when TLS is off
 * @param handshakeTimeoutNanos how long after the connect the TLS handshake must be done
 */
record OpeningRules(boolean proxyProtocol, long proxyTimeoutNanos, Function<InetSocketAddress, TlsTransport> tls,
        long handshakeTimeoutNanos) {

    /** Whether a connection has anything to go through, or becomes a session at once. */
    boolean any() {
        return proxyProtocol || tls != null;
    }

    /** The shortest of the limits in force, or 0: how often opening connections need looking at. */
    long shortestTimeoutNanos() {
        long shortest = 0;
        if (proxyProtocol) {
            shortest = proxyTimeoutNanos;
        }
        if (tls != null && (shortest == 0 || handshakeTimeoutNanos < shortest)) {
            shortest = handshakeTimeoutNanos;
        }
        return shortest;
    }
}
