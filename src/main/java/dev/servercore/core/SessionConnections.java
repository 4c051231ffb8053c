package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Makes the connection for a channel of one endpoint that is through its opening (PROXY header, TLS
 * handshake): a session from the session factory, bound to it. The endpoint never knows the session's class.
 */
final class SessionConnections {

    private final Supplier<? extends Session> sessionFactory;
    private final ApplicationEventPublisher events;

    SessionConnections(Supplier<? extends Session> sessionFactory, ApplicationEventPublisher events) {
        this.sessionFactory = sessionFactory;
        this.events = events;
    }

    /**
     * @param client the peer as the session sees it (a PROXY header's client, or the socket's peer)
     * @param tls the transport whose handshake is done, or null for a plain connection
     */
    SessionConnection create(SocketChannel channel, boolean server, String factoryName, EventLoop loop,
            InetSocketAddress client, TlsTransport tls, Runnable forget) throws IOException {
        Session session = sessionFactory.get();
        if (session == null) {
            throw new IllegalStateException("the session factory of " + factoryName + " returned null");
        }
        session.assignId(loop.endpoint().nextId());
        return new SessionConnection(channel, server, events, factoryName, session, loop, client, tls, forget);
    }
}
