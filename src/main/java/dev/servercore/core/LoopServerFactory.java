package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.function.Supplier;

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
 *
 * <p>An accepted connection is judged before anything is made for it: the per-address rules (at once, or
 * after its PROXY header when one is expected) and {@code max-sessions}. What has a header or a handshake
 * to go through is an {@link OpeningConnection} until it is done; then, or at once, its session opens.
 * Refusals are counted by reason and logged at most once a second.
 */
final class LoopServerFactory extends TcpNioServerConnectionFactory {

    private static final Log log = LogFactory.getLog(LoopServerFactory.class);
    /** Accepts per pass: a flood of connects must leave the loop time for its sessions. */
    private static final int ACCEPTS_PER_PASS = 64;

    private final EventLoop loop;
    private final SessionConnections sessions;
    private final OpeningRules opening;
    private final AddressLimits limits;
    private final OpeningConnection.Outcome outcome = new OpeningConnection.Outcome() {
        @Override
        public RefusalReason admit(InetSocketAddress client) {
            return limits.admit(client.getAddress(), loop.now);
        }

        @Override
        public void opened(SocketChannel channel, InetSocketAddress client, TlsTransport tls, ByteBuffer firstBytes) {
            install(channel, client, tls, firstBytes);
        }

        @Override
        public void failed(InetSocketAddress client, boolean admitted, RefusalReason reason, String why) {
            loop.endpoint().releaseSession();
            if (admitted) {
                limits.release(client.getAddress(), loop.now);
            }
            loop.endpoint().refused(reason, client, why == null ? null : () -> why);
        }
    };

    LoopServerFactory(int port, EventLoop loop, SessionConnections sessions, OpeningRules opening,
            AddressLimits limits, boolean reusePort) {
        super(port);
        this.loop = loop;
        this.sessions = sessions;
        this.opening = opening;
        this.limits = limits;
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
            InetSocketAddress peer;
            try {
                peer = (InetSocketAddress) channel.getRemoteAddress();
                channel.configureBlocking(false);
                setSocketAttributes(channel.socket());
            } catch (IOException e) { // reset before it was accepted
                closeQuietly(channel);
                continue;
            }
            if (isShuttingDown()) {
                refuse(channel, peer, RefusalReason.SHUTDOWN, null);
                continue;
            }
            boolean admitted = false;
            if (!opening.proxyProtocol()) { // else the client's address is known only from its header
                RefusalReason refusal = limits.admit(peer.getAddress(), loop.now);
                if (refusal != null) {
                    refuse(channel, peer, refusal, null);
                    continue;
                }
                admitted = true;
            }
            if (!loop.endpoint().reserveSession()) {
                if (admitted) {
                    limits.release(peer.getAddress(), loop.now);
                }
                refuse(channel, peer, RefusalReason.MAX_SESSIONS, () -> loop.endpoint().settings().maxSessions()
                        + " sessions are open");
                continue;
            }
            if (opening.any()) {
                new OpeningConnection(channel, loop, peer, opening, admitted, outcome).start(selector);
            } else {
                install(channel, peer, null, null);
            }
        }
    }

    private void refuse(SocketChannel channel, InetSocketAddress peer, RefusalReason reason,
            Supplier<String> why) {
        loop.endpoint().refused(reason, peer, why); // first: once the peer sees the close, it is counted
        closeQuietly(channel);
    }

    /**
     * A connection through its opening becomes a connection of this factory, with its session, which opens: on
     * the loop, over the channel as it is registered with the loop's selector (or is about to be).
     */
    private void install(SocketChannel channel, InetSocketAddress client, TlsTransport tls, ByteBuffer firstBytes) {
        SessionConnection connection;
        try {
            connection = sessions.create(channel, true, getComponentName(), loop, client, tls, () -> {
                forget(channel);
                limits.release(client.getAddress(), loop.now);
            });
        } catch (Throwable t) {
            loop.endpoint().releaseSession();
            limits.release(client.getAddress(), loop.now);
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
            connection.register(loop.selector());
        } catch (Throwable t) {
            log.error(loop.name() + ": could not register an accepted connection", t);
            connection.abort(CloseReason.ERROR);
            return;
        }
        connection.open(firstBytes);
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
