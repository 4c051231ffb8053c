package dev.servercore.core;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.EngineClient;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.HeldSigning;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.ProxyV2;
import dev.servercore.testsupport.RecordingSession;
import dev.servercore.testsupport.TestCertificate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS handshakes against a hostile or slow peer: their delegated tasks off the event loop (seen through the
 * signature the server makes in its handshake, which {@link HeldSigning} notes and can hold), the handshake
 * timeout from the connect, no session before the handshake is done, and a TLS record trickled byte by byte.
 */
@LoopbackServerTest
class TlsHandshakeTest {

    @TempDir
    static Path dir;
    static Path keyStore;
    static SSLContext client;
    static HeldSigning signing;

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private final AtomicInteger sessionsMade = new AtomicInteger();
    /** A thread for each blocking client (the common pool may have a single one). */
    private final ExecutorService clients = Executors.newCachedThreadPool();
    private String name;
    private Listener listener;

    @BeforeAll
    static void certificateAndProvider() throws Exception {
        keyStore = TestCertificate.create(dir);
        client = TestCertificate.trusting(keyStore);
        signing = HeldSigning.install();
    }

    @AfterAll
    static void removeProvider() {
        signing.close();
    }

    @BeforeEach
    void name(TestInfo test) {
        name = "test-tls-" + test.getTestMethod().orElseThrow().getName(); // meters are per name
        signing.reset();
    }

    @AfterEach
    void stop() {
        signing.release();
        clients.shutdownNow();
        if (listener != null) {
            listener.stop();
        }
    }

    private Listener listener(Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "listener.tls.enabled", true,
                "listener.tls.key-store", "file:" + keyStore,
                "listener.tls.key-store-password", TestCertificate.PASSWORD,
                "listener.tls.key-store-type", HeldSigning.KEY_STORE_TYPE));
        settings.putAll(extra);
        listener = Endpoints.listener(context, name, ServerCoreProperties.of(settings), () -> {
            sessionsMade.incrementAndGet();
            return new SessionLifecycleTest.EchoSession();
        });
        return listener;
    }

    private double refused(String reason) {
        return Search.in(meters).name("servercore.sessions.refused").tag("endpoint", name).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double counter(String meter) {
        return Search.in(meters).name(meter).tag("endpoint", name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** Connections still opening: none while the gauge does not exist. */
    private double opening() {
        var gauge = meters.find("servercore.connections.opening").tag("endpoint", name).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    /** A client of its own each time: a context's cached session would make the next handshake a resumption. */
    private SSLSocket tlsSocket(int port) throws Exception {
        SSLSocket socket = (SSLSocket) TestCertificate.trusting(keyStore).getSocketFactory()
                .createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** The welcome (packet 1), then an echo of {@code tag}. */
    private static void welcomedAndEchoed(SSLSocket socket, int tag) throws Exception {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        assertThat(readFrame(in).packetId()).isEqualTo(1);
        echoes(socket, in, tag);
    }

    private static void echoes(SSLSocket socket, DataInputStream in, int tag) throws Exception {
        socket.getOutputStream().write(FrameClient.frame(7, new byte[] {(byte) tag}));
        socket.getOutputStream().flush();
        FrameClient.Frame echo = readFrame(in);
        assertThat(echo.packetId()).isEqualTo(7);
        assertThat(echo.body()).containsExactly((byte) tag);
    }

    private static FrameClient.Frame readFrame(DataInputStream in) throws Exception {
        int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
        int id = in.readUnsignedByte() | in.readUnsignedByte() << 8;
        byte[] body = new byte[size - 4];
        in.readFully(body);
        return new FrameClient.Frame(id, body);
    }

    @Test
    void handshakeTasksRunOnTheHandshakeThreadsNeverOnTheLoop() throws Exception {
        listener(Map.of());
        try (SSLSocket socket = tlsSocket(listener.port())) {
            welcomedAndEchoed(socket, 1);
        }
        assertThat(signing.signingThreads()).as("threads that signed the server's handshake")
                .isNotEmpty().allSatisfy(thread -> assertThat(thread).startsWith("servercore-" + name + "-tls-"));
    }

    @Test
    void theLoopServesItsSessionsWhileAHandshakeTaskIsHeld() throws Exception {
        listener(Map.of("listener.event-loops", 1)); // one loop: a task on it would stop every session
        try (SSLSocket open = tlsSocket(listener.port())) {
            welcomedAndEchoed(open, 1);
            signing.reset(); // forget the first handshake's signature
            signing.hold();
            CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
                try (SSLSocket second = tlsSocket(listener.port())) {
                    second.setSoTimeout(40_000);
                    welcomedAndEchoed(second, 2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, clients);
            assertThat(signing.awaitSigning(Duration.ofSeconds(10))).as("the second handshake is signing").isTrue();
            open.setSoTimeout(2_000);
            long start = System.nanoTime();
            echoes(open, new DataInputStream(open.getInputStream()), 3);
            System.out.printf("an echo while a handshake task was held took %d ms%n", (System.nanoTime() - start) / 1_000_000);
            signing.release();
            held.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void beyondTheHandshakeQueueNewTlsConnectionsAreRefusedAndCounted() throws Exception {
        listener(Map.of("listener.tls.handshake-threads", 1, "listener.tls.handshake-queue", 1));
        signing.hold();
        CompletableFuture<?>[] handshakes = new CompletableFuture<?>[3];
        for (int i = 0; i < handshakes.length; i++) {
            int tag = i;
            handshakes[i] = CompletableFuture.runAsync(() -> {
                try (SSLSocket socket = tlsSocket(listener.port())) {
                    socket.setSoTimeout(40_000);
                    welcomedAndEchoed(socket, tag);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, clients);
            if (i == 0) {
                assertThat(signing.awaitSigning(Duration.ofSeconds(10))).as("the one handshake thread is held").isTrue();
            }
        }
        Await.until("a handshake refused as the queue is full", Duration.ofSeconds(10), () -> refused("tls_busy") == 1);
        signing.release();
        int done = 0;
        for (CompletableFuture<?> handshake : handshakes) {
            try {
                handshake.get(30, TimeUnit.SECONDS);
                done++;
            } catch (ExecutionException refused) {
                // the one beyond the queue
            }
        }
        assertThat(done).isEqualTo(2);
    }

    @Test
    void aHandshakeNotDoneWithinTheTimeoutOfTheConnectIsClosedSilentOrTrickled() throws Exception {
        listener(Map.of("listener.tls.handshake-timeout", "500ms"));
        long start = System.nanoTime();
        try (FrameClient silent = FrameClient.connect(listener.port())) {
            assertThat(silent.closedByPeerWithin(5_000)).isTrue();
        }
        long silentMillis = (System.nanoTime() - start) / 1_000_000;
        try (EngineClient trickler = EngineClient.connect(client, listener.port())) {
            byte[] hello = trickler.clientHello();
            start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < hello.length && !closed; i++) {
                trickler.write(new byte[] {hello[i]}); // every byte a read: the idle timeout would never fire
                closed = trickler.closedByPeerWithin(100);
            }
            assertThat(closed || trickler.closedByPeerWithin(5_000)).isTrue();
        }
        long trickledMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("handshake timeout 500 ms: silent cut after %d ms, trickled after %d ms%n", silentMillis,
                trickledMillis);
        assertThat(silentMillis).isBetween(400L, 2_000L);
        assertThat(trickledMillis).isBetween(400L, 2_000L);
        Await.until("both counted", Duration.ofSeconds(5), () -> refused("tls_error") == 2);
        assertThat(counter("servercore.sessions.opened")).isZero();
    }

    @Test
    void onConnectedRunsOnlyOnceTheHandshakeIsDoneAndTheWelcomeIsTheFirstApplicationData() throws Exception {
        listener(Map.of());
        try (FrameClient tcpOnly = FrameClient.connect(listener.port())) {
            Await.until("the connection is accepted", Duration.ofSeconds(5), () -> opening() == 1
                    || counter("servercore.sessions.opened") > 0);
            Thread.sleep(200); // whatever would follow an accept has had its time
            assertThat(counter("servercore.sessions.opened")).as("sessions opened by a TCP connect").isZero();
            assertThat(listener.sessions().count()).isZero();
            assertThat(sessionsMade).as("sessions the factory made").hasValue(0);
        }
        try (SSLSocket socket = tlsSocket(listener.port())) {
            welcomedAndEchoed(socket, 5);
            assertThat(counter("servercore.sessions.opened")).isEqualTo(1);
            assertThat(sessionsMade).hasValue(1);
        }
    }

    @Test
    void aTlsRecordTrickledAByteAtATimeIsCutWithinTheFrameTimeoutNotKeptOpenByTheIdleTimeout() throws Exception {
        listener(Map.of("session.frame-timeout", "1s", "listener.idle-timeout", "5s"));
        try (EngineClient trickler = EngineClient.connect(client, listener.port())) {
            trickler.handshake();
            byte[] record = trickler.record(FrameClient.frame(7, new byte[64]));
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < record.length && !closed; i++) {
                trickler.write(new byte[] {record[i]});
                closed = trickler.closedByPeerWithin(300);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("a TLS record trickled a byte every 300 ms was cut after %d ms (frame timeout 1 s, idle 5 s)%n",
                    millis);
            assertThat(closed).as("cut before the record was whole").isTrue();
            assertThat(millis).isLessThan(3_000);
        }
        Await.until("counted as a protocol error", Duration.ofSeconds(5), () -> meters.get("servercore.sessions.closed")
                .tag("endpoint", name).tag("reason", "protocol_error").counter().count() == 1);
    }

    @Test
    void withPROXYProtocolTheHeaderComesBeforeTheHandshakeAndNamesTheSessionsClient() throws Exception {
        listener(Map.of("listener.proxy-protocol", true));
        try (Socket plain = new Socket("127.0.0.1", listener.port())) {
            plain.getOutputStream().write(ProxyV2.proxy("203.0.113.50", 5555)); // then TLS over the same connection
            SSLSocket tls = (SSLSocket) TestCertificate.trusting(keyStore).getSocketFactory()
                    .createSocket(plain, "127.0.0.1", listener.port(), true);
            tls.setSoTimeout(10_000);
            welcomedAndEchoed(tls, 6);
            assertThat(listener.sessions().all()).singleElement().satisfies(session -> assertThat(
                    session.remoteAddress()).isEqualTo(new InetSocketAddress(InetAddress.getByName("203.0.113.50"), 5555)));
        }
        Await.until("the first session gone", Duration.ofSeconds(5), () -> listener.sessions().count() == 0);
        try (EngineClient client = EngineClient.connect(TlsHandshakeTest.client, listener.port())) {
            // the header and the ClientHello in one write: the bytes after the header are the handshake's
            client.write(ProxyProtocolTest.concat(ProxyV2.proxy("203.0.113.51", 6666), client.clientHello()));
            client.handshake();
            Await.until("the second session open", Duration.ofSeconds(5), () -> listener.sessions().count() == 1);
            assertThat(listener.sessions().all()).singleElement().satisfies(session -> assertThat(
                    session.remoteAddress().getAddress()).isEqualTo(InetAddress.getByName("203.0.113.51")));
        }
        assertThat(refused("proxy_header") + refused("tls_error")).isZero();
    }

    @Test
    void aConnectorsHandshakeNotDoneInTimeFailsTheConnectAndOpensNoSession() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept(); // and never a byte back
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ServerCoreProperties settings = ServerCoreProperties.of(Map.of(
                    "connector.host", "127.0.0.1",
                    "connector.port", silent.getLocalPort(),
                    "connector.tls.enabled", true,
                    "connector.tls.trust-store", "file:" + keyStore,
                    "connector.tls.trust-store-password", TestCertificate.PASSWORD,
                    "connector.tls.handshake-timeout", "500ms"));
            RecordingSession[] made = new RecordingSession[1];
            Connector connector = new Connector(name, settings.getConnector(), settings.getSession(), () -> {
                made[0] = new RecordingSession();
                return made[0];
            }, new SessionRegistry(), meters, context, context);
            connector.start();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> connector.connect().get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class);
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("a connector's handshake with a silent server failed after %d ms%n", millis);
                assertThat(millis).isBetween(400L, 3_000L);
                assertThat(counter("servercore.connect.failures")).isEqualTo(1);
                assertThat(counter("servercore.sessions.opened")).isZero();
                assertThat(made[0]).as("no session was made").isNull();
            } finally {
                connector.stop();
                accepted.get(5, TimeUnit.SECONDS).close();
            }
        }
    }
}
