package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.function.Function;
import java.util.function.Supplier;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Makes the connection for a new channel of one endpoint: a session from the session factory, TLS when
 * the endpoint is set for it. The endpoint never knows the session's class.
 */
final class SessionConnections {

    private final Supplier<? extends Session> sessionFactory;
    private final Function<InetSocketAddress, TlsTransport> tls;
    private final ApplicationEventPublisher events;

    SessionConnections(Supplier<? extends Session> sessionFactory, Function<InetSocketAddress, TlsTransport> tls,
            ApplicationEventPublisher events) {
        this.sessionFactory = sessionFactory;
        this.tls = tls;
        this.events = events;
    }

    SessionConnection create(SocketChannel channel, boolean server, String factoryName, EventLoop loop,
            Runnable forget) throws IOException {
        Session session = sessionFactory.get();
        if (session == null) {
            throw new IllegalStateException("the session factory of " + factoryName + " returned null");
        }
        session.assignId(loop.endpoint().nextId());
        TlsTransport transport = tls == null ? null : tls.apply((InetSocketAddress) channel.getRemoteAddress());
        return new SessionConnection(channel, server, events, factoryName, session, loop, transport, forget);
    }
}
