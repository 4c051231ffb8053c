package dev.servercore.core;

import java.util.Map;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.RecordingSession;
import dev.servercore.testsupport.TestCertificate;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** TLS through Spring Integration's SSL socket factories, with a certificate made for the test. */
@LoopbackServerTest
class TlsTest {

    @TempDir
    static Path dir;
    static Path keyStore;

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private java.util.Map<String, Double> closedByReason() {
        java.util.Map<String, Double> closed = new java.util.TreeMap<>();
        meters.find("servercore.sessions.closed").tag("endpoint", "test-tls").counters().forEach(c -> {
            if (c.count() > 0) {
                closed.put(c.getId().getTag("reason"), c.count());
            }
        });
        System.out.println("closed by reason: " + closed);
        return closed;
    }

    @BeforeAll
    static void makeCertificate() throws Exception {
        keyStore = TestCertificate.create(dir);
    }

    @Test
    void aTlsConnectorExchangesEchoesWithATlsListenerAndAPlainClientIsRefusedAndCounted() throws Exception {
        ServerCoreProperties serverSide = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.tls.enabled", true,
                "listener.tls.key-store", "file:" + keyStore,
                "listener.tls.key-store-password", "secret"));
        Listener listener = Endpoints.listener(context, "test-tls", serverSide, SessionLifecycleTest.EchoSession::new);

        ServerCoreProperties clientSide = ServerCoreProperties.of(Map.<String, Object>of(
                "connector.host", "127.0.0.1",
                "connector.port", listener.port(),
                "connector.tls.enabled", true,
                "connector.tls.trust-store", "file:" + keyStore,
                "connector.tls.trust-store-password", "secret"));
        Connector connector = new Connector("test-tls-client", clientSide.getConnector(), clientSide.getSession(),
                RecordingSession::new, new SessionRegistry(), meters, context, context);
        connector.start();
        try {
            RecordingSession session = (RecordingSession) connector.connect().get(10, TimeUnit.SECONDS);
            Await.until("the welcome over TLS", java.time.Duration.ofSeconds(10), () -> session.received.size() == 1);
            for (int i = 0; i < 100; i++) {
                session.send(2, ("secret " + i).getBytes());
            }
            Await.until("100 echoes over TLS", java.time.Duration.ofSeconds(10), () -> session.received.size() == 101);
            for (int i = 0; i < 100; i++) {
                assertThat(new String(session.received.get(i + 1).body())).isEqualTo("secret " + i);
            }

            try (FrameClient plain = FrameClient.connect(listener.port())) {
                plain.sendFrame(2, "in clear".getBytes());
                assertThat(plain.closedByPeerWithin(5_000)).isTrue();
            }
            Await.until("the plain client counted: refused, its handshake failed", java.time.Duration.ofSeconds(10),
                    () -> meters.get("servercore.sessions.refused").tag("endpoint", "test-tls")
                            .tag("reason", "tls_error").counter().count() == 1);
            assertThat(closedByReason()).as("no session of it ever opened, so none closed").isEmpty();
            assertThat(session.isConnected()).isTrue();
        } finally {
            connector.stop();
            listener.stop();
        }
    }

    private javax.net.ssl.SSLSocket tlsClient(int port) throws Exception {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) TestCertificate.trusting(keyStore).getSocketFactory()
                .createSocket("127.0.0.1", port);
        socket.startHandshake();
        return socket;
    }

    private ServerCoreProperties tlsServer(java.time.Duration writeTimeout) {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.tls.enabled", true,
                "listener.tls.key-store", "file:" + keyStore,
                "listener.tls.key-store-password", "secret",
                "session.write-timeout", writeTimeout,
                "session.shutdown-drain-timeout", java.time.Duration.ofSeconds(1),
                "session.send-queue-limit", org.springframework.util.unit.DataSize.ofMegabytes(64)));
        return properties;
    }

    @Test
    void aTlsPeerThatStopsReadingIsClosedAsASlowConsumerAndStopCompletesWhileAWriteWaits() throws Exception {
        Listener listener = Endpoints.listener(context, "test-tls-slow", tlsServer(java.time.Duration.ofMillis(500)),
                SessionContractTest.BulkSession::new);
        try (javax.net.ssl.SSLSocket client = tlsClient(listener.port())) {
            client.getOutputStream().write(FrameClient.frame(5, new byte[0])); // 16 MB come back; nobody reads them
            client.getOutputStream().flush();
            Await.until("closed as a slow consumer", java.time.Duration.ofSeconds(15), () -> meters
                    .find("servercore.sessions.closed").tag("endpoint", "test-tls-slow").tag("reason", "slow_consumer")
                    .counter().count() == 1);
        } finally {
            listener.stop();
        }

        Listener patient = Endpoints.listener(context, "test-tls-stop", tlsServer(java.time.Duration.ofSeconds(60)),
                SessionContractTest.BulkSession::new);
        try (javax.net.ssl.SSLSocket client = tlsClient(patient.port())) {
            client.getOutputStream().write(FrameClient.frame(5, new byte[0]));
            client.getOutputStream().flush();
            Thread.sleep(1_000); // the server's writes now wait on a full socket
            long start = System.nanoTime();
            patient.stop();
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("stop with a TLS write waiting took %d ms%n", millis);
            assertThat(millis).isLessThan(1_000 + 5_000);
            assertThat(meters.find("servercore.sessions.closed").tag("endpoint", "test-tls-stop")
                    .tag("reason", "shutdown").counter().count()).isEqualTo(1);
        }
    }
    /** Kicks in onConnected: "server full", then disconnect(). */
    static class FullSession extends PacketSession {
        @Override
        protected void onConnected(java.net.InetSocketAddress endpoint) {
            send(Frames.encode(9, "server full".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            disconnect();
        }

        @Override
        protected void onRecvPacket(int packetId, java.nio.ByteBuffer body) {
        }
    }

    @Test
    void aKickFromOnConnectedReachesATlsPeerPromptlyThoughItsHandshakeWasNotDone() throws Exception {
        Listener listener = Endpoints.listener(context, "test-tls-kick", tlsServer(java.time.Duration.ofSeconds(3)),
                FullSession::new);
        long start = System.nanoTime();
        try (javax.net.ssl.SSLSocket client = tlsClient(listener.port())) {
            client.setSoTimeout(10_000);
            java.io.DataInputStream in = new java.io.DataInputStream(client.getInputStream());
            int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
            int id = in.readUnsignedByte() | in.readUnsignedByte() << 8;
            assertThat(id).isEqualTo(9);
            assertThat(size).isEqualTo(4 + "server full".length());
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the reason arrived").isLessThan(1_500);
        } finally {
            listener.stop();
        }
    }
}
