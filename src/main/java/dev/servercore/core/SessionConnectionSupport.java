package dev.servercore.core;

import java.net.Socket;
import java.util.function.Supplier;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNetConnection;
import org.springframework.integration.ip.tcp.connection.TcpNetConnectionSupport;

/** Makes each new connection of a factory a {@link SessionConnection} carrying a new session. */
final class SessionConnectionSupport implements TcpNetConnectionSupport {

    private final Supplier<? extends Session> sessionFactory;
    private final int readBufferSize;

    SessionConnectionSupport(Supplier<? extends Session> sessionFactory, int readBufferSize) {
        this.sessionFactory = sessionFactory;
        this.readBufferSize = readBufferSize;
    }

    @Override
    public TcpNetConnection createNewConnection(Socket socket, boolean server, boolean lookupHost,
            ApplicationEventPublisher publisher, String connectionFactoryName) {
        return new SessionConnection(socket, server, lookupHost, publisher, connectionFactoryName,
                sessionFactory.get(), readBufferSize);
    }
}
