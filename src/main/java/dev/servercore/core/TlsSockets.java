package dev.servercore.core;

import org.springframework.integration.ip.tcp.connection.DefaultTcpNetSSLSocketFactorySupport;
import org.springframework.integration.ip.tcp.connection.DefaultTcpSSLContextSupport;
import org.springframework.integration.ip.tcp.connection.TcpSocketFactorySupport;

/** Spring Integration's SSL socket factories, from {@code servercore.*.tls}. */
final class TlsSockets {

    private TlsSockets() {
    }

    static TcpSocketFactorySupport socketFactory(ServerCoreProperties.Tls tls, String prefix, boolean server) {
        if (server && tls.getKeyStore() == null) {
            throw new IllegalStateException(prefix + ".key-store is required when " + prefix + ".enabled is true");
        }
        if (tls.getKeyStore() == null && tls.getTrustStore() == null) {
            throw new IllegalStateException(prefix + ".trust-store is required when " + prefix + ".enabled is true");
        }
        // Spring Integration wants both stores; a missing one is stood in for by the other.
        boolean hasKeyStore = tls.getKeyStore() != null;
        boolean hasTrustStore = tls.getTrustStore() != null;
        DefaultTcpSSLContextSupport context = new DefaultTcpSSLContextSupport(
                hasKeyStore ? tls.getKeyStore() : tls.getTrustStore(),
                hasTrustStore ? tls.getTrustStore() : tls.getKeyStore(),
                hasKeyStore ? tls.getKeyStorePassword() : tls.getTrustStorePassword(),
                hasTrustStore ? tls.getTrustStorePassword() : tls.getKeyStorePassword());
        context.setKeyStoreType(hasKeyStore ? tls.getKeyStoreType() : tls.getTrustStoreType());
        context.setTrustStoreType(hasTrustStore ? tls.getTrustStoreType() : tls.getKeyStoreType());
        context.setProtocol(tls.getProtocol());
        return new DefaultTcpNetSSLSocketFactorySupport(context);
    }
}
