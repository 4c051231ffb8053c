package dev.servercore.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.EchoSession;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.Meters;
import dev.servercore.testsupport.RecordingSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PROTOCOL.md v3's {@code S_Kick}: every close the server chooses for a reason the client should know is
 * told first (the reason, a text), after what was sent before, and counted by that reason.
 */
@LoopbackServerTest
class KickTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    /** Welcomes; packet 8 is answered, then kicked from its callback; other packets are echoed. */
    static class KickingSession extends EchoSession {
        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            super.onRecvPacket(packetId, body);
            if (packetId == 8) {
                kick("you asked for it");
            }
        }
    }

    private double closed(String endpoint, String reason) {
        return Meters.closed(meters, endpoint, reason);
    }

    private static void assertKick(FrameClient.Frame frame, KickReason reason, String text) {
        assertThat(frame.packetId()).isEqualTo(SessionLayer.S_KICK);
        ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(body.getShort() & 0xFFFF).isEqualTo(reason.code());
        assertThat(StandardCharsets.UTF_8.decode(body).toString()).startsWith(text);
    }

    @Test
    void aKickFromACallbackComesAfterWhatWasSentBeforeItThenTheClose() throws Exception {
        Listener listener = Endpoints.listener(context, "kick-callback", ServerCoreProperties.defaults(),
                KickingSession::new);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            double before = closed("kick-callback", "kicked");
            client.readFrame();
            // the kick, then a frame of the same read that must not be delivered
            client.write(concat(FrameClient.frame(8, new byte[] {1}), FrameClient.frame(2, new byte[] {2})));
            assertThat(client.readFrame().packetId()).isEqualTo(8);
            assertKick(client.readFrame(), KickReason.KICKED, "you asked for it");
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
            Await.until("counted as kicked", WAIT, () -> closed("kick-callback", "kicked") == before + 1);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aKickFromAnotherThreadAndABadFrameAndAShutdownAreEachTold() throws Exception {
        ConcurrentLinkedQueue<Session> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "kick-reasons", ServerCoreProperties.defaults(), () -> {
            KickingSession session = new KickingSession();
            sessions.add(session);
            return session;
        });
        try (FrameClient fromElsewhere = FrameClient.connect(listener.port());
                FrameClient badFrame = FrameClient.connect(listener.port());
                FrameClient atShutdown = FrameClient.connect(listener.port())) {
            fromElsewhere.readFrame();
            badFrame.readFrame();
            atShutdown.readFrame();
            Await.until("three sessions", WAIT, () -> sessions.size() == 3);

            double protocolErrors = closed("kick-reasons", "protocol_error");
            badFrame.write(new byte[] {2, 0, 2, 0}); // size 2: below the header
            assertKick(badFrame.readFrame(), KickReason.PROTOCOL_ERROR, "frame size 2");
            assertThat(badFrame.closedByPeerWithin(5_000)).isTrue();
            Await.until("counted", WAIT, () -> closed("kick-reasons", "protocol_error") == protocolErrors + 1);

            Session first = listener.sessions().all().stream()
                    .filter(s -> s.remoteAddress().getPort() == fromElsewhere.localPort()).findFirst().orElseThrow();
            first.kick(KickReason.RATE_LIMITED, "slow down");
            first.kick(KickReason.KICKED, "a second kick changes nothing");
            assertKick(fromElsewhere.readFrame(), KickReason.RATE_LIMITED, "slow down");
            assertThat(fromElsewhere.closedByPeerWithin(5_000)).isTrue();
            Await.until("ended as rate_limited", WAIT, () -> first.closeReason() == CloseReason.RATE_LIMITED);

            listener.stop();
            assertKick(atShutdown.readFrame(), KickReason.SHUTDOWN, "the server is stopping");
            assertThat(atShutdown.closedByPeerWithin(5_000)).isTrue();
        } finally {
            listener.stop();
        }
    }

    @Test
    void aClientSessionIsClosedWithoutAKickFrameAndRawSessionsGetNone() throws Exception {
        ConcurrentLinkedQueue<RecordingSession> served = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "kick-server", ServerCoreProperties.defaults(), () -> {
            RecordingSession session = new RecordingSession();
            served.add(session);
            return session;
        });
        RecordingSession client = new RecordingSession();
        Connector connector = Endpoints.connector(context, "kick-client", listener.port(), () -> client);
        try {
            connector.connect().get();
            Await.until("served", WAIT, () -> served.size() == 1);
            client.kick(KickReason.KICKED, "from the client side");
            RecordingSession server = served.peek();
            Await.until("the server side ended", WAIT, () -> server.disconnects.get() == 1);
            assertThat(server.received).isEmpty(); // a connector's sessions are PROTOCOL.md's client: no S_Kick
            assertThat(client.closeReason()).isEqualTo(CloseReason.KICKED);
        } finally {
            connector.stop();
            listener.stop();
        }

        ServerCoreProperties raw = ServerCoreProperties.of(Map.of("listener.mode", "raw"));
        Listener rawListener = Endpoints.listener(context, "kick-raw", raw, () -> new Session() {
            @Override
            protected void onRecv(ByteBuffer data) {
                kick("raw");
            }
        });
        try (FrameClient rawClient = FrameClient.connect(rawListener.port())) {
            rawClient.write(new byte[] {1});
            assertThat(rawClient.closedByPeerWithin(5_000)).isTrue();
            assertThat(rawClient.bytesRead()).isZero();
        } finally {
            rawListener.stop();
        }
    }

    @Test
    void aKickTextIsCutToTheMaximumFrameOnACharacterBoundaryAndGameIdsStayBelowTheSessionLayer() {
        String text = "é".repeat(3000); // 6,000 bytes of 2-byte characters
        byte[] frame = SessionLayer.kick(KickReason.KICKED, text, 4096);
        assertThat(frame.length).isLessThanOrEqualTo(4096);
        assertThat(Frames.getUInt16(frame, 0)).isEqualTo(frame.length);
        String decoded = new String(frame, 6, frame.length - 6, StandardCharsets.UTF_8);
        assertThat(decoded).matches("é+");
        assertThat(KickReason.ofCode(KickReason.RESUME_GAP.code())).isEqualTo(KickReason.RESUME_GAP);

        PacketSession session = new KickingSession();
        assertThatThrownBy(() -> session.send(0xFF03, new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("session layer");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
