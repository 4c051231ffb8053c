package dev.servercore.core;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.integration.ip.tcp.connection.DefaultTcpSocketSupport;
import org.springframework.integration.ip.tcp.connection.TcpConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;

/**
 * Spring Integration's NIO server factory whose selector thread is an {@link EventLoop}: it binds (with
 * {@code SO_REUSEPORT} when several loops share the port), selects, and publishes the connection events;
 * each pass of its select loop is handed to the loop, which accepts and serves connections inline.
 */
final class LoopServerFactory extends TcpNioServerConnectionFactory {

    private static final Log log = LogFactory.getLog(LoopServerFactory.class);
    /** Accepts per pass: a flood of connects must leave the loop time for its sessions. */
    private static final int ACCEPTS_PER_PASS = 64;

    private final EventLoop loop;
    private final SessionConnections sessions;

    LoopServerFactory(int port, EventLoop loop, SessionConnections sessions, boolean reusePort) {
        super(port);
        this.loop = loop;
        this.sessions = sessions;
        setTaskExecutor(loop.threadStarter());
        if (reusePort) {
            setTcpSocketSupport(new DefaultTcpSocketSupport() {
                @Override
                public void postProcessServerSocket(ServerSocket serverSocket) {
                    try {
                        serverSocket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    } catch (IOException e) {
                        throw new IllegalStateException("SO_REUSEPORT could not be set", e);
                    }
                }
            });
        }
    }

    static boolean reusePortAvailable() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    EventLoop loop() {
        return loop;
    }

    @Override
    protected void processNioSelections(int selected, Selector selector, ServerSocketChannel server,
            Map<SocketChannel, TcpNioConnection> connectionMap) {
        loop.pass(selected, selector, key -> accept(selector, (ServerSocketChannel) key.channel()));
    }

    @Override
    protected void doAccept(Selector selector, ServerSocketChannel server, long now) {
        try {
            accept(selector, server);
        } catch (IOException e) {
            log.warn(loop.name() + ": accept failed: " + e);
        }
    }

    private void accept(Selector selector, ServerSocketChannel server) throws IOException {
        for (int i = 0; i < ACCEPTS_PER_PASS; i++) {
            SocketChannel channel = server.accept();
            if (channel == null) {
                return;
            }
            if (isShuttingDown()) {
                closeQuietly(channel);
            } else if (!loop.endpoint().reserveSession()) {
                log.warn("Refusing " + channel.getRemoteAddress() + ": " + loop.endpoint().name() + " has "
                        + loop.endpoint().settings().maxSessions() + " sessions open");
                closeQuietly(channel);
            } else {
                install(channel, selector);
            }
        }
    }

    /** The accepted channel becomes a connection of this factory and its session opens, on the loop. */
    private void install(SocketChannel channel, Selector selector) {
        SessionConnection connection;
        try {
            channel.configureBlocking(false);
            setSocketAttributes(channel.socket());
            connection = sessions.create(channel, true, getComponentName(), loop, () -> forget(channel));
        } catch (Throwable t) {
            loop.endpoint().releaseSession();
            closeQuietly(channel);
            log.error(loop.name() + ": could not make a session for an accepted connection", t);
            return;
        }
        try {
            TcpConnectionSupport wrapped = wrapConnection(connection);
            initializeConnection(wrapped, channel.socket());
            connection.publishOpened();
            synchronized (getConnections()) { // a plain map in the factory; a stop may be removing from it
                getConnections().put(channel, connection);
            }
            connection.register(selector);
        } catch (Throwable t) {
            log.error(loop.name() + ": could not register an accepted connection", t);
            connection.abort(CloseReason.ERROR);
            return;
        }
        connection.open();
    }

    private void forget(SocketChannel channel) {
        TcpNioConnection connection;
        synchronized (getConnections()) {
            connection = getConnections().remove(channel);
        }
        if (connection != null) {
            this.connections.remove(connection.getConnectionId());
        }
    }

    /** Spring Integration keeps every connection until it sweeps them; connections here leave as they close. */
    @Override
    protected void harvestClosedConnections() {
    }

    /** Inactive first, so that the select loop ends quietly when the selector closes. */
    @Override
    public void stop() {
        setActive(false);
        super.stop();
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
