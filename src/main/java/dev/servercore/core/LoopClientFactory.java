package dev.servercore.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;

import org.springframework.integration.ip.tcp.connection.TcpConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNioClientConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;

/**
 * Spring Integration's NIO client factory whose selector thread is an {@link EventLoop}. Each
 * {@code getConnection()} connects a new channel (single use: one connection per session), makes it a
 * connection of this factory, and hands it to the loop, where its session opens.
 */
final class LoopClientFactory extends TcpNioClientConnectionFactory {

    /**
     * Until the loop has made its first pass it does not know its selector, and could not be woken: the
     * factory's select wakes by itself this often until then, and never after.
     */
    private static final int FIRST_PASS_MILLIS = 10;

    private final EventLoop loop;
    private final SessionConnections sessions;
    private final Duration connectTimeout;

    LoopClientFactory(String host, int port, Duration connectTimeout, EventLoop loop, SessionConnections sessions) {
        super(host, port);
        this.loop = loop;
        this.sessions = sessions;
        this.connectTimeout = connectTimeout;
        setSingleUse(true);
        setTaskExecutor(loop.threadStarter());
        setSoTimeout(FIRST_PASS_MILLIS);
    }

    EventLoop loop() {
        return loop;
    }

    @Override
    protected void processNioSelections(int selected, Selector selector, ServerSocketChannel server,
            Map<SocketChannel, TcpNioConnection> connectionMap) {
        if (loop.selector() == null) {
            setSoTimeout(-1);
        }
        loop.pass(selected, selector, key -> {
        });
    }

    @Override
    protected TcpConnectionSupport buildNewConnection() {
        loop.endpoint().reserveSession();
        SocketChannel channel = null;
        SessionConnection connection;
        try {
            channel = SocketChannel.open();
            setSocketAttributes(channel.socket());
            channel.socket().connect(new InetSocketAddress(getHost(), getPort()), (int) connectTimeout.toMillis());
            channel.configureBlocking(false);
            SocketChannel opened = channel;
            connection = sessions.create(channel, false, getComponentName(), loop, () -> forget(opened));
        } catch (IOException | RuntimeException | Error e) {
            loop.endpoint().releaseSession();
            if (channel != null) {
                LoopServerFactory.closeQuietly(channel);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) rethrow(e);
        }
        try {
            TcpConnectionSupport wrapped = wrapConnection(connection);
            initializeConnection(wrapped, channel.socket());
            connection.publishOpened();
            getConnections().put(channel, connection);
            loop.execute(() -> {
                try {
                    connection.register(loop.selector());
                } catch (ClosedChannelException | RuntimeException e) { // a closed channel or selector: stopping
                    connection.abort(CloseReason.SHUTDOWN);
                    return;
                }
                connection.open();
            });
            return wrapped;
        } catch (RuntimeException e) {
            connection.abort(CloseReason.ERROR); // never opened: its place is released
            throw e;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof Error error) {
            throw error;
        }
        return (RuntimeException) t;
    }

    private void forget(SocketChannel channel) {
        TcpNioConnection connection = getConnections().remove(channel);
        if (connection != null) {
            this.connections.remove(connection.getConnectionId());
        }
    }

    @Override
    protected void harvestClosedConnections() {
    }

    /** Until the first pass, the select wakes by itself (again after a restart). */
    @Override
    public void start() {
        setSoTimeout(FIRST_PASS_MILLIS);
        super.start();
    }

    /** Inactive first, so that the select loop ends quietly when the selector closes. */
    @Override
    public void stop() {
        setActive(false);
        super.stop();
    }
}
