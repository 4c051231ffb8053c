package dev.servercore.server;

import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.Welcome;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.servercore.core.Connector;
import dev.servercore.core.Listener;
import dev.servercore.core.Session;
import dev.servercore.testsupport.Actuator;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient.Frame;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.RecordingSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/** The server profile on real loopback sockets: the demo packets, the framing, isolation and metrics. */
@LoopbackServerTest
class ServerIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    Listener listener;
    @Autowired
    ApplicationContext context;
    @Autowired
    Environment environment;

    Actuator actuator;

    @BeforeEach
    void quiet() throws Exception {
        actuator = Actuator.of(environment);
        // tests share the server: each starts with no session open
        Await.until("no session open", WAIT, () -> serverMetric("servercore.sessions.active") == 0);
    }

    @Test
    void fiftyConnectorSessionsExchangeEchoesAndChatWithEveryByteChecked() throws Exception {
        int sessions = 50;
        int echoes = 20;
        int chats = 2;
        Connector connector = Endpoints.connector(context, "test-fifty", listener.port(), RecordingSession::new);
        try {
            List<CompletableFuture<Session>> connects = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                connects.add(connector.connect());
            }
            List<RecordingSession> clients = new ArrayList<>();
            for (CompletableFuture<Session> connect : connects) {
                clients.add((RecordingSession) connect.get(10, TimeUnit.SECONDS));
            }
            for (RecordingSession client : clients) {
                Await.until("welcome", WAIT, () -> !client.received.isEmpty());
                Frame welcome = client.received.get(0);
                assertThat(welcome.packetId()).isEqualTo(Welcome.ID);
                assertThat(new String(welcome.body(), StandardCharsets.UTF_8)).isEqualTo("Welcome to MMORPG Server!");
            }

            Random random = new Random(42);
            Map<RecordingSession, List<byte[]>> sentEchoes = new HashMap<>();
            for (int c = 0; c < sessions; c++) {
                RecordingSession client = clients.get(c);
                List<byte[]> bodies = new ArrayList<>();
                for (int e = 0; e < echoes; e++) {
                    byte[] body = new byte[random.nextInt(200)];
                    random.nextBytes(body);
                    bodies.add(body);
                    assertThat(client.send(Echo.ID, body)).isTrue();
                }
                sentEchoes.put(client, bodies);
                for (int k = 0; k < chats; k++) {
                    client.send(ChatRequest.ID, chatText(c, k).getBytes(StandardCharsets.UTF_8));
                }
            }

            for (RecordingSession client : clients) {
                Await.until("all echoes and chats", WAIT, () -> client.ofId(Echo.ID).size() == echoes
                        && client.ofId(ChatMessage.ID).size() == sessions * chats);
            }
            Thread.sleep(100); // nothing more may arrive
            for (int c = 0; c < sessions; c++) {
                RecordingSession client = clients.get(c);
                assertThat(client.received).hasSize(1 + echoes + sessions * chats);
                List<Frame> echoed = client.ofId(Echo.ID);
                for (int e = 0; e < echoes; e++) {
                    assertThat(echoed.get(e).body()).as("echo %d of client %d", e, c)
                            .isEqualTo(sentEchoes.get(client).get(e));
                }
                // every chat of every client arrives, each sender's in its order, under one id per sender
                Map<Integer, Integer> senderOfClient = new HashMap<>();
                Map<Integer, Integer> nextChatOf = new HashMap<>();
                for (Frame chat : client.ofId(ChatMessage.ID)) {
                    ByteBuffer body = ByteBuffer.wrap(chat.body()).order(ByteOrder.LITTLE_ENDIAN);
                    int senderId = body.getInt();
                    String text = StandardCharsets.UTF_8.decode(body).toString();
                    int from = Integer.parseInt(text.split(" ")[2]);
                    int k = nextChatOf.merge(from, 1, Integer::sum) - 1;
                    assertThat(text).isEqualTo(chatText(from, k));
                    assertThat(senderOfClient.computeIfAbsent(from, f -> senderId)).isEqualTo(senderId);
                }
                assertThat(nextChatOf).hasSize(sessions).allSatisfy((from, count) -> assertThat(count).isEqualTo(chats));
                assertThat(new HashSet<>(senderOfClient.values())).hasSize(sessions);
            }
        } finally {
            connector.stop();
        }
    }

    @Test
    void framesWrittenOneByteAtATimeArriveWholeAndInOrder() throws Exception {
        try (FrameClient client = FrameClient.connect(listener.port())) {
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] body = ("one byte at a time #" + i).getBytes(StandardCharsets.UTF_8);
                bodies.add(body);
                for (byte b : FrameClient.frame(Echo.ID, body)) {
                    client.write(new byte[] {b});
                }
            }
            for (byte[] body : bodies) {
                Frame echo = client.readFrame();
                assertThat(echo.packetId()).isEqualTo(Echo.ID);
                assertThat(echo.body()).isEqualTo(body);
            }
        }
    }

    @Test
    void aHundredFramesInOneWriteArriveWholeAndInOrder() throws Exception {
        try (FrameClient client = FrameClient.connect(listener.port())) {
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            ByteArrayOutputStream oneWrite = new ByteArrayOutputStream();
            for (int i = 0; i < 100; i++) {
                oneWrite.writeBytes(FrameClient.frame(Echo.ID, ("frame " + i).getBytes(StandardCharsets.UTF_8)));
            }
            client.write(oneWrite.toByteArray());
            for (int i = 0; i < 100; i++) {
                Frame echo = client.readFrame();
                assertThat(echo.packetId()).isEqualTo(Echo.ID);
                assertThat(new String(echo.body(), StandardCharsets.UTF_8)).isEqualTo("frame " + i);
            }
        }
    }

    @Test
    void aBadFrameClosesThatSessionOnlyAndIsCountedAsAProtocolError() throws Exception {
        double protocolErrors = serverMetric("servercore.sessions.closed", "reason:protocol_error");
        try (FrameClient healthy = FrameClient.connect(listener.port());
                FrameClient tooSmall = FrameClient.connect(listener.port());
                FrameClient tooLarge = FrameClient.connect(listener.port())) {
            healthy.readFrame();
            tooSmall.readFrame();
            tooLarge.readFrame();

            tooSmall.write(new byte[] {3, 0, 2, 0});
            tooLarge.write(new byte[] {(byte) 0x01, (byte) 0x10, 2, 0}); // 4097 > the 4096 maximum

            assertThat(tooSmall.closedByPeerWithin(5_000)).isTrue();
            assertThat(tooLarge.closedByPeerWithin(5_000)).isTrue();
            healthy.sendFrame(Echo.ID, "still here".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(healthy.readFrame().body(), StandardCharsets.UTF_8)).isEqualTo("still here");
        }
        Await.until("two protocol errors counted", WAIT,
                () -> serverMetric("servercore.sessions.closed", "reason:protocol_error") == protocolErrors + 2);
    }

    @Test
    void metricsEqualWhatCrossedTheWireExactly() throws Exception {
        String[] names = {"servercore.bytes.received", "servercore.bytes.sent", "servercore.packets.received",
                "servercore.packets.sent", "servercore.sessions.opened"};
        double[] before = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            before[i] = serverMetric(names[i]);
        }
        double peerClosedBefore = serverMetric("servercore.sessions.closed", "reason:peer_closed");

        long written;
        long read;
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            for (int size : new int[] {0, 1, 31, 32, 500, 4092}) {
                client.sendFrame(Echo.ID, new byte[size]);
                assertThat(client.readFrame().body()).hasSize(size);
            }
            client.sendFrame(ChatRequest.ID, "hi".getBytes(StandardCharsets.UTF_8));
            assertThat(client.readFrame().packetId()).isEqualTo(ChatMessage.ID);
            client.sendFrame(999, new byte[3]); // unknown id: counted, ignored
            written = client.bytesWritten();
            read = client.bytesRead();
        }
        Await.until("the session closed", WAIT, () -> serverMetric("servercore.sessions.active") == 0);

        assertThat(serverMetric(names[0]) - before[0]).isEqualTo(written);
        assertThat(serverMetric(names[1]) - before[1]).isEqualTo(read);
        assertThat(serverMetric(names[2]) - before[2]).isEqualTo(8);
        assertThat(serverMetric(names[3]) - before[3]).isEqualTo(8);
        assertThat(serverMetric(names[4]) - before[4]).isEqualTo(1);
        assertThat(serverMetric("servercore.sessions.closed", "reason:peer_closed") - peerClosedBefore).isEqualTo(1);

        String prometheus = actuator.get("/actuator/prometheus").body();
        assertThat(prometheus).contains("# TYPE servercore_bytes_received_bytes_total counter")
                .containsPattern("servercore_bytes_received_bytes_total\\{[^}]*role=\"server\"[^}]*} "
                        + java.util.regex.Pattern.quote(Double.toString(serverMetric(names[0]))))
                .contains("servercore_sessions_active{")
                .contains("servercore_send_queue_bytes{")
                .contains("servercore_sessions_closed_total{");
    }

    @Test
    void healthIsUpWithTheListenerBoundAndOnlyTheFourEndpointsAreExposed() throws Exception {
        var health = actuator.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"listener\":{\"status\":\"UP\"}");
        // review finding: every caller saw the components' details (ports, node id, Redis errors, disk paths)
        assertThat(health.body()).doesNotContain("details").doesNotContain(String.valueOf(listener.port()))
                .doesNotContain("path");
        for (String endpoint : new String[] {"info", "metrics", "prometheus"}) {
            assertThat(actuator.get("/actuator/" + endpoint).statusCode()).as(endpoint).isEqualTo(200);
        }
        for (String endpoint : new String[] {"env", "heapdump", "shutdown", "beans", "threaddump", "loggers"}) {
            assertThat(actuator.get("/actuator/" + endpoint).statusCode()).as(endpoint).isEqualTo(404);
        }
    }

    private double serverMetric(String name, String... extraTags) throws Exception {
        String[] tags = new String[extraTags.length + 1];
        tags[0] = "endpoint:listener";
        System.arraycopy(extraTags, 0, tags, 1, extraTags.length);
        return actuator.metric(name, tags);
    }

    private static String chatText(int client, int k) {
        return "chat from " + client + " #" + k;
    }
}
