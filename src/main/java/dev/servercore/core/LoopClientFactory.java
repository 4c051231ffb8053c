package dev.servercore.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import org.springframework.integration.ip.tcp.connection.TcpConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNioClientConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;

/**
 * Spring Integration's NIO client factory whose selector thread is an {@link EventLoop}. Each
 * {@code getConnection()} connects a new channel (single use: one connection per session) and hands it to the
 * loop, which runs its TLS handshake (if any), makes it a connection of this factory, and opens its session.
 */
final class LoopClientFactory extends TcpNioClientConnectionFactory {

    /**
     * Until the loop has made its first pass it does not know its selector, and could not be woken: the
     * factory's select wakes by itself this often until then, and never after.
     */
    private static final int FIRST_PASS_MILLIS = 10;

    /** Beyond the handshake timeout, how long a connect thread waits for the loop to open its session. */
    private static final long LOOP_MARGIN_MILLIS = 10_000;

    private final EventLoop loop;
    private final SessionConnections sessions;
    private final OpeningRules opening;
    private final Duration connectTimeout;

    LoopClientFactory(String host, int port, Duration connectTimeout, EventLoop loop, SessionConnections sessions,
            OpeningRules opening) {
        super(host, port);
        this.loop = loop;
        this.sessions = sessions;
        this.opening = opening;
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

    /**
     * On a connect thread: connects (blocking, up to the connect timeout), then the loop takes the channel: its TLS
     * handshake, if any, and then its session, which opens there. Returns once the session is open; a failed
     * connect or handshake throws.
     */
    @Override
    protected TcpConnectionSupport buildNewConnection() {
        loop.endpoint().reserveSession();
        SocketChannel channel = null;
        InetSocketAddress peer;
        try {
            channel = SocketChannel.open();
            setSocketAttributes(channel.socket());
            channel.socket().connect(new InetSocketAddress(getHost(), getPort()), (int) connectTimeout.toMillis());
            channel.configureBlocking(false);
            peer = (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException | RuntimeException | Error e) {
            loop.endpoint().releaseSession();
            if (channel != null) {
                LoopServerFactory.closeQuietly(channel);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) rethrow(e);
        }
        CompletableFuture<TcpConnectionSupport> opened = new CompletableFuture<>();
        SocketChannel connected = channel;
        try {
            loop.execute(() -> open(connected, peer, opened));
        } catch (RejectedExecutionException stopped) {
            loop.endpoint().releaseSession();
            LoopServerFactory.closeQuietly(channel);
            throw new IllegalStateException(loop.name() + " has stopped", stopped);
        }
        try {
            // the loop answers within the handshake timeout; the margin covers a loop that is slow to run the task
            return opened.get(opening.handshakeTimeoutNanos() / 1_000_000 + LOOP_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the session opened", e);
        } catch (TimeoutException e) {
            if (!opened.cancel(false)) { // opened meanwhile
                return opened.join();
            }
            throw new IllegalStateException(loop.name() + " did not open the session in time");
        }
    }

    /** On the loop: the handshake, if any, then the session. */
    private void open(SocketChannel channel, InetSocketAddress peer, CompletableFuture<TcpConnectionSupport> opened) {
        if (!opening.any()) {
            install(channel, peer, null, opened);
            return;
        }
        new OpeningConnection(channel, loop, peer, opening, true, new OpeningConnection.Outcome() {
            @Override
            public RefusalReason admit(InetSocketAddress client) {
                return null; // a connector reads no PROXY header
            }

            @Override
            public void opened(SocketChannel ch, InetSocketAddress client, TlsTransport tls, ByteBuffer firstBytes) {
                install(ch, client, tls, opened);
            }

            @Override
            public void failed(InetSocketAddress client, boolean admitted, RefusalReason reason, String why) {
                loop.endpoint().releaseSession();
                opened.completeExceptionally(new UncheckedIOException(new SSLException(
                        "TLS to " + client + " failed (" + reason.tag() + ")" + (why == null ? "" : ": " + why))));
            }
        }).start(loop.selector());
    }

    private void install(SocketChannel channel, InetSocketAddress peer, TlsTransport tls,
            CompletableFuture<TcpConnectionSupport> opened) {
        SessionConnection connection;
        try {
            connection = sessions.create(channel, false, getComponentName(), loop, peer, tls, () -> forget(channel));
        } catch (IOException | RuntimeException | Error e) {
            loop.endpoint().releaseSession();
            LoopServerFactory.closeQuietly(channel);
            opened.completeExceptionally(e instanceof IOException io ? new UncheckedIOException(io) : e);
            return;
        }
        TcpConnectionSupport wrapped;
        try {
            wrapped = wrapConnection(connection);
            initializeConnection(wrapped, channel.socket());
            connection.publishOpened();
            getConnections().put(channel, connection);
            connection.register(loop.selector());
        } catch (ClosedChannelException | RuntimeException e) { // a closed channel or selector: stopping
            connection.abort(CloseReason.SHUTDOWN); // never opened: its place is released
            opened.completeExceptionally(e instanceof ClosedChannelException c ? new UncheckedIOException(c) : e);
            return;
        }
        connection.open(null);
        if (!opened.complete(wrapped)) {
            connection.abort(CloseReason.LOCAL); // its connect gave up waiting: nobody holds this session
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
