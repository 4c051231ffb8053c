package dev.servercore.core;

import java.net.InetSocketAddress;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import org.springframework.integration.ip.tcp.connection.DefaultTcpSSLContextSupport;

/** TLS settings ({@code servercore.*.tls}) made into an engine per connection, through Spring Integration's SSL context support. */
final class TlsSockets {

    private TlsSockets() {
    }

    /**
     * One new engine per connection, given the peer's address, its handshake tasks on threads of the endpoint's
     * own; null when TLS is off.
     */
    static Function<InetSocketAddress, TlsTransport> transports(ServerCoreProperties.Tls tls, String prefix,
            boolean server, String endpoint) {
        if (!tls.isEnabled()) {
            return null;
        }
        SSLContext context = context(tls, prefix, server);
        String protocol = tls.getProtocol();
        TlsHandshakes handshakes = new TlsHandshakes(endpoint, tls.getHandshakeThreadCount(), tls.getHandshakeQueue());
        return peer -> {
            SSLEngine engine = server ? context.createSSLEngine()
                    : context.createSSLEngine(peer.getHostString(), peer.getPort());
            engine.setUseClientMode(!server);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            if (!server && tls.isVerifyHost()) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            engine.setSSLParameters(parameters);
            return new TlsTransport(engine, handshakes);
        };
    }

    private static SSLContext context(ServerCoreProperties.Tls tls, String prefix, boolean server) {
        if (server && tls.getKeyStore() == null) {
            throw new IllegalStateException(prefix + ".key-store is required when " + prefix + ".enabled is true");
        }
        if (tls.getKeyStore() == null && tls.getTrustStore() == null) {
            throw new IllegalStateException(prefix + ".trust-store is required when " + prefix + ".enabled is true");
        }
        // Spring Integration wants both stores; a missing one is stood in for by the other.
        boolean hasKeyStore = tls.getKeyStore() != null;
        boolean hasTrustStore = tls.getTrustStore() != null;
        DefaultTcpSSLContextSupport support = new DefaultTcpSSLContextSupport(
                hasKeyStore ? tls.getKeyStore() : tls.getTrustStore(),
                hasTrustStore ? tls.getTrustStore() : tls.getKeyStore(),
                hasKeyStore ? tls.getKeyStorePassword() : tls.getTrustStorePassword(),
                hasTrustStore ? tls.getTrustStorePassword() : tls.getKeyStorePassword());
        support.setKeyStoreType(hasKeyStore ? tls.getKeyStoreType() : tls.getTrustStoreType());
        support.setTrustStoreType(hasTrustStore ? tls.getTrustStoreType() : tls.getKeyStoreType());
        support.setProtocol(tls.getProtocol());
        try {
            return support.getSSLContext();
        } catch (Exception e) {
            throw new IllegalStateException(prefix + ": could not build the TLS context: " + e.getMessage(), e);
        }
    }
}
