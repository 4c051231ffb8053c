package dev.servercore.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fault proxy in front of a tiny echo server: it forwards, and it breaks connections exactly as told. */
@Timeout(30)
class FaultProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private Echo echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new Echo();
        proxy = FaultProxy.start(echo.port());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsBothWaysByteForByte() throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(7).nextBytes(sent);
        try (Socket client = connect()) {
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(sent);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertThat(readExactly(client, sent.length)).isEqualTo(sent);
            writer.join();

            FaultProxy.Connection connection = proxy.awaitConnections(1, WAIT).get(0);
            assertThat(echo.received.get()).isEqualTo(sent.length);
            // a write is counted once it returns, which may be after its bytes were read
            Await.until("every byte is counted both ways", WAIT, () -> connection.bytesUpstream() == sent.length
                    && connection.bytesDownstream() == sent.length);
        }
    }

    @Test
    void resetGivesBothSidesAConnectionReset() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            proxy.awaitConnections(1, WAIT).get(0).reset();

            assertConnectionReset(echo.ending());
            assertThatThrownBy(() -> client.getInputStream().read())
                    .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
        }
    }

    @Test
    void cutGivesBothSidesEof() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            proxy.awaitConnections(1, WAIT).get(0).cut();

            assertThat(echo.ending()).isEqualTo(Echo.EOF);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void cutWithBytesLeftUnreadStillGivesEof() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            FaultProxy.Connection connection = proxy.awaitConnections(1, WAIT).get(0);
            connection.stallUpstream();
            // the proxy holds a chunk and reads no more: a cut drops what it holds and still ends with FIN
            client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write("def".getBytes(StandardCharsets.US_ASCII));
            connection.cut();

            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(echo.ending()).isEqualTo(Echo.EOF);
            assertThat(echo.received.get()).isEqualTo(5);
        }
    }

    @Test
    void stallHoldsBytesAndResumeDeliversThemInOrder() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            FaultProxy.Connection connection = proxy.awaitConnections(1, WAIT).get(0);
            connection.stall();

            OutputStream out = client.getOutputStream();
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            out.write("def".getBytes(StandardCharsets.US_ASCII));
            assertNothingArrives(client);
            assertThat(echo.received.get()).isEqualTo(5);

            connection.resume();
            assertThat(read(client, 6)).isEqualTo("abcdef");
            assertThat(echo.received.get()).isEqualTo(11);
        }
    }

    @Test
    void stallStopsAFloodBetweenTwoWrites() throws Exception {
        try (Socket client = connect()) {
            AtomicLong read = new AtomicLong();
            Thread reader = daemon(() -> {
                byte[] buffer = new byte[65536];
                InputStream in = client.getInputStream();
                for (int n; (n = in.read(buffer)) != -1; ) {
                    read.addAndGet(n);
                }
            });
            Thread writer = daemon(() -> {
                byte[] chunk = new byte[65536];
                while (true) {
                    client.getOutputStream().write(chunk);
                }
            });
            FaultProxy.Connection connection = proxy.awaitConnections(1, WAIT).get(0);
            for (int round = 0; round < 10; round++) {
                long before = connection.bytesDownstream();
                Await.until("the flood flows", WAIT, () -> connection.bytesDownstream() > before);
                connection.stall();
                long up = connection.bytesUpstream();
                long down = connection.bytesDownstream();
                Await.until("the client reads what was forwarded", WAIT, () -> read.get() == down);
                Thread.sleep(100);
                // a write still going on when stall() returned would show here
                assertThat(connection.bytesUpstream()).as("bytes upstream after stall()").isEqualTo(up);
                assertThat(connection.bytesDownstream()).as("bytes downstream after stall()").isEqualTo(down);
                assertThat(read.get()).isEqualTo(down);
                connection.resume();
            }
            client.close();
            reader.join(WAIT.toMillis());
            writer.join(WAIT.toMillis());
        }
    }

    @Test
    void stallDownstreamStillPassesUpstream() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            FaultProxy.Connection connection = proxy.awaitConnections(1, WAIT).get(0);
            connection.stallDownstream();

            client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            Await.until("the server gets abc", WAIT, () -> echo.received.get() == 8);
            assertNothingArrives(client);
            assertThat(connection.bytesDownstream()).isEqualTo(5);

            connection.resume();
            assertThat(read(client, 3)).isEqualTo("abc");
        }
    }

    @Test
    void resetAfterDownstreamBytesDeliversExactlyThoseThenResets() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            FaultProxy.Connection connection = proxy.awaitConnections(1, WAIT).get(0);
            connection.resetAfterDownstreamBytes(3);

            client.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = client.getInputStream();
            IOException ending = null;
            try {
                for (int b; (b = in.read()) != -1; ) {
                    got.write(b);
                }
            } catch (IOException e) {
                ending = e;
            }
            assertThat(got.toString(StandardCharsets.US_ASCII)).isEqualTo("012");
            assertConnectionReset(ending);
            assertThat(connection.bytesDownstream()).isEqualTo(5 + 3);
            assertConnectionReset(echo.ending());
        }
    }

    @Test
    void resetAfterUpstreamBytesLetsTheServerReadExactlyThose() throws Exception {
        try (Socket client = connect()) {
            exchange(client, "hello");
            proxy.awaitConnections(1, WAIT).get(0).resetAfterUpstreamBytes(4);

            client.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
            assertConnectionReset(echo.ending());
            assertThat(echo.received.get()).isEqualTo(5 + 4);
        }
    }

    @Test
    void resetAllResetsEveryConnection() throws Exception {
        try (Socket first = connect(); Socket second = connect()) {
            exchange(first, "one");
            exchange(second, "two");
            assertThat(proxy.awaitConnections(2, WAIT)).hasSize(2);
            proxy.resetAll();

            for (Socket client : new Socket[] {first, second}) {
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            }
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    /** Runs until its socket is closed. */
    private static Thread daemon(Io io) {
        Thread thread = new Thread(() -> {
            try {
                io.run();
            } catch (IOException closed) {
                // the test closed the socket
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static void exchange(Socket client, String text) throws IOException {
        client.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        assertThat(read(client, text.length())).isEqualTo(text);
    }

    private static String read(Socket client, int n) throws IOException {
        return new String(readExactly(client, n), StandardCharsets.US_ASCII);
    }

    private static byte[] readExactly(Socket client, int n) throws IOException {
        byte[] bytes = client.getInputStream().readNBytes(n);
        assertThat(bytes).hasSize(n);
        return bytes;
    }

    /** A reset, not an EOF nor some other failure. */
    private static void assertConnectionReset(Object ending) {
        assertThat(ending).isInstanceOf(SocketException.class);
        assertThat((Throwable) ending).hasMessageContaining("Connection reset");
    }

    /** A stall has no event to wait for: give the bytes a fair chance to (wrongly) get through. */
    private static void assertNothingArrives(Socket client) throws IOException {
        client.setSoTimeout(300);
        try {
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        } finally {
            client.setSoTimeout((int) WAIT.toMillis());
        }
    }

    /** Echoes each connection's bytes back; counts what it read and how each connection ended. */
    private static final class Echo implements AutoCloseable {

        static final String EOF = "EOF";

        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicLong received = new AtomicLong();
        final BlockingQueue<Object> endings = new LinkedBlockingQueue<>();

        Echo() throws IOException {
            Thread acceptor = new Thread(this::accept, "echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** How the next connection ended: {@link #EOF} or the exception its read threw. */
        Object ending() throws InterruptedException {
            Object ending = endings.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(ending).as("how the server's connection ended").isNotNull();
            return ending;
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = server.accept();
                    Thread echoing = new Thread(() -> echo(socket), "echo");
                    echoing.setDaemon(true);
                    echoing.start();
                }
            } catch (IOException closed) {
                // the echo server is closed
            }
        }

        private void echo(Socket socket) {
            byte[] buffer = new byte[8192];
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int n; (n = in.read(buffer)) != -1; ) {
                    received.addAndGet(n);
                    out.write(Arrays.copyOf(buffer, n));
                }
                endings.add(EOF);
            } catch (IOException e) {
                endings.add(e);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
