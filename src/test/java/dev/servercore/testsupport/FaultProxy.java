package dev.servercore.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback that breaks its connections when a test says so, never on a timer: reset (RST) or cut
 * (FIN) both sides, stall one direction or both, or reset after exactly n more bytes. Made of real sockets.
 *
 * <p>Each connection is a {@link Connection}: the client the proxy accepted and the proxy's own connection to the
 * target. Bytes go on as they were read, one thread per direction; a chunk waits in the proxy while its direction
 * is stalled, and the proxy reads no more from that side meanwhile, so the rest waits in the kernel.
 */
public final class FaultProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();

    private FaultProxy(int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        daemon("fault-proxy-accept", this::accept);
    }

    public static FaultProxy start(int targetPort) throws IOException {
        return new FaultProxy(targetPort);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The connections proxied so far, in accept order. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Waits until at least n connections are proxied (accepted and connected to the target); returns them all. */
    public List<Connection> awaitConnections(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (connections) {
            while (connections.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for " + n
                            + " proxied connections, got " + connections.size());
                }
                TimeUnit.NANOSECONDS.timedWait(connections, left);
            }
            return List.copyOf(connections);
        }
    }

    public void resetAll() {
        for (Connection connection : connections) {
            connection.reset();
        }
    }

    private void accept() {
        try {
            while (!server.isClosed()) {
                Socket client = server.accept();
                Socket target;
                try {
                    target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException refused) {
                    client.close();
                    continue;
                }
                Connection connection = new Connection(client, target);
                synchronized (connections) {
                    connections.add(connection);
                    connections.notifyAll();
                }
                connection.start();
                // close() may have gone through the list just before this one was added
                if (server.isClosed()) {
                    connection.end(false);
                }
            }
        } catch (IOException closed) {
            // the proxy is closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Connection connection : connections) {
            connection.end(false);
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that was asked
        }
    }

    /** One proxied connection. Upstream is client to server, downstream server to client. */
    public static final class Connection {

        private static final int OPEN = 0;
        private static final int CUT = 1;
        private static final int CLOSED = 2;

        private final Socket client;
        private final Socket target;
        private final Pipe upstream;
        private final Pipe downstream;
        private volatile int state = OPEN;
        private int pipesEnded;

        private Connection(Socket client, Socket target) throws IOException {
            this.client = client;
            this.target = target;
            client.setTcpNoDelay(true);
            target.setTcpNoDelay(true);
            this.upstream = new Pipe(client, target);
            this.downstream = new Pipe(target, client);
        }

        private void start() {
            daemon("fault-proxy-up", upstream::run);
            daemon("fault-proxy-down", downstream::run);
        }

        /** Closes both sides with RST: each peer's next read or write fails with "Connection reset". */
        public void reset() {
            end(true);
        }

        /**
         * Closes both sides normally: each peer reads EOF. The proxy sends FIN, and drops what a stall holds and what
         * still comes in until the peer closes too (closing a socket with bytes unread would send RST).
         */
        public synchronized void cut() {
            if (state != OPEN) {
                return;
            }
            state = CUT;
            upstream.wake();
            downstream.wake();
            for (Socket socket : List.of(client, target)) {
                try {
                    socket.shutdownOutput();
                } catch (IOException gone) {
                    // that side is gone already
                }
            }
        }

        /**
         * Stops forwarding both ways until {@link #resume()}; nothing is dropped. Returns once no byte is being
         * written, so none goes on after it (a write in progress only lasts while its receiver has no room).
         */
        public void stall() throws InterruptedException {
            upstream.stall();
            downstream.stall();
        }

        /** {@link #stall()}, client to server only. */
        public void stallUpstream() throws InterruptedException {
            upstream.stall();
        }

        /** {@link #stall()}, server to client only. */
        public void stallDownstream() throws InterruptedException {
            downstream.stall();
        }

        /** Forwards both ways again, starting with what was held, in order. */
        public void resume() {
            upstream.resume();
            downstream.resume();
        }

        /** Passes exactly n more bytes server to client, then resets both sides (0: resets now). */
        public void resetAfterDownstreamBytes(long n) throws InterruptedException {
            downstream.resetAfter(n);
        }

        /** Passes exactly n more bytes client to server, then resets both sides (0: resets now). */
        public void resetAfterUpstreamBytes(long n) throws InterruptedException {
            upstream.resetAfter(n);
        }

        /** Bytes written to the client so far. */
        public long bytesDownstream() {
            return downstream.bytes();
        }

        /** Bytes written to the server so far. */
        public long bytesUpstream() {
            return upstream.bytes();
        }

        private synchronized void end(boolean rst) {
            state = CLOSED;
            for (Socket socket : List.of(client, target)) {
                if (rst) {
                    try {
                        socket.setSoLinger(true, 0);
                    } catch (IOException closed) {
                        // closed already
                    }
                }
                closeQuietly(socket);
            }
            upstream.wake();
            downstream.wake();
        }

        private synchronized void pipeEnded() {
            // both directions saw EOF (or failed): nothing is left unread, so this close sends no RST
            if (++pipesEnded == 2) {
                closeQuietly(client);
                closeQuietly(target);
            }
        }

        /** One direction: reads a chunk, waits out a stall, then writes it, or the part a reset-after allows. */
        private final class Pipe {

            private final Socket from;
            private final Socket to;
            private boolean stalled;
            private boolean writing;
            private long resetAfter = -1;
            private long bytes;

            private Pipe(Socket from, Socket to) {
                this.from = from;
                this.to = to;
            }

            private void run() {
                byte[] buffer = new byte[16384];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        for (int off = 0; off < n; ) {
                            int len = admit(n - off);
                            if (len < 0) {
                                return;
                            }
                            if (len == 0) {
                                break;
                            }
                            out.write(buffer, off, len);
                            off += len;
                            if (written(len)) {
                                reset();
                                return;
                            }
                        }
                    }
                    if (state == OPEN) {
                        to.shutdownOutput();
                    }
                } catch (IOException e) {
                    // a peer's reset (or a write to a peer that went) is passed on as a reset
                    if (state == OPEN) {
                        reset();
                    }
                } finally {
                    synchronized (this) {
                        writing = false;
                        notifyAll();
                    }
                    pipeEnded();
                }
            }

            /** How many of the bytes read may be written now: -1 once closed, 0 to drop them after a cut. */
            private synchronized int admit(int available) {
                while (stalled && state == OPEN) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1;
                    }
                }
                if (state != OPEN) {
                    return state == CUT ? 0 : -1;
                }
                writing = true;
                return resetAfter > 0 ? (int) Math.min(available, resetAfter) : available;
            }

            /** Counts a write; true when a reset-after is due. */
            private synchronized boolean written(int len) {
                writing = false;
                bytes += len;
                notifyAll();
                return resetAfter > 0 && (resetAfter -= len) == 0;
            }

            private synchronized void stall() throws InterruptedException {
                stalled = true;
                while (writing) {
                    wait();
                }
            }

            private synchronized void resume() {
                stalled = false;
                notifyAll();
            }

            private void resetAfter(long n) throws InterruptedException {
                synchronized (this) {
                    // counted from a chunk boundary, not from the middle of a write
                    while (writing) {
                        wait();
                    }
                    if (n > 0) {
                        resetAfter = n;
                        return;
                    }
                }
                reset();
            }

            private synchronized long bytes() {
                return bytes;
            }

            private synchronized void wake() {
                notifyAll();
            }
        }
    }
}
