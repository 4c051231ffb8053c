package dev.servercore.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PROTOCOL.md v3's login on a listener: until {@code C_Login} is verified no game packet reaches game code;
 * a refusal, another packet first or silence is {@code S_Kick(unauthenticated)}; a principal that logs in
 * again displaces its older session; what came after the login in its read arrives after {@code onLogin}.
 */
@LoopbackServerTest
class LoginTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] WELCOME = Frames.encode(1, "hi".getBytes(StandardCharsets.UTF_8));

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    /** Welcomes, records what game code sees, echoes game packets. */
    static class Player extends PacketSession {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(WELCOME);
        }

        @Override
        protected void onLogin() {
            seen.add("login " + principal());
            send(Frames.encode(50, principal().getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            seen.add("packet " + packetId);
            send(Frames.encode(packetId, body));
        }
    }

    /** "user:NAME" logs in as NAME; anything else is refused with a reason. */
    static final Authenticator BY_NAME = credential -> {
        String text = new String(credential, StandardCharsets.UTF_8);
        return text.startsWith("user:") ? CompletableFuture.completedFuture(text.substring(5))
                : CompletableFuture.failedFuture(new LoginRefusedException("unknown user"));
    };

    private Listener listener(String name, LoginSettings login, Queue<Player> made) {
        return Endpoints.listener(context, name, ServerCoreProperties.defaults(), () -> {
            Player player = new Player();
            made.add(player);
            return player;
        }, listener -> listener.setLogin(login));
    }

    private double closed(String endpoint, String reason) {
        return Meters.closed(meters, endpoint, reason);
    }

    static void assertKicked(FrameClient client, KickReason reason, String text) throws Exception {
        FrameClient.Frame frame = client.readFrame();
        assertThat(frame.packetId()).as("S_Kick").isEqualTo(SessionLayer.S_KICK);
        ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(body.getShort() & 0xFFFF).isEqualTo(reason.code());
        assertThat(StandardCharsets.UTF_8.decode(body).toString()).contains(text);
        assertThat(client.closedByPeerWithin(5_000)).isTrue();
    }

    static byte[] login(String credential) {
        return Frames.encode(SessionLayer.C_LOGIN, credential.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nothingReachesGameCodeBeforeALoginAndEachWayOfNotLoggingInIsKicked() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("login-required", new LoginSettings(true, Duration.ofMillis(700), BY_NAME, null),
                made);
        try {
            double before = closed("login-required", "unauthenticated");
            try (FrameClient gameFirst = FrameClient.connect(listener.port())) {
                gameFirst.readFrame();
                gameFirst.sendFrame(2, new byte[] {1});
                assertKicked(gameFirst, KickReason.UNAUTHENTICATED, "log in first");
            }
            try (FrameClient refused = FrameClient.connect(listener.port())) {
                refused.readFrame();
                refused.write(login("nobody"));
                assertKicked(refused, KickReason.UNAUTHENTICATED, "unknown user");
            }
            try (FrameClient silent = FrameClient.connect(listener.port())) {
                silent.readFrame();
                long start = System.nanoTime();
                assertKicked(silent, KickReason.UNAUTHENTICATED, "no login within 700 ms");
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L, 3_000L);
            }
            Await.until("three counted", WAIT, () -> closed("login-required", "unauthenticated") == before + 3);
            assertThat(made).allSatisfy(player -> assertThat(player.seen).isEmpty());
        } finally {
            listener.stop();
        }
    }

    @Test
    void aLoginIsAnsweredThenOnLoginThenThePacketsThatFollowedItInTheSameWriteInOrder() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        CompletableFuture<String> later = new CompletableFuture<>();
        Authenticator slow = credential -> later; // completes from the test's thread
        Listener listener = listener("login-ok", new LoginSettings(true, Duration.ofSeconds(10), slow, null), made);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            client.write(concat(login("ann"), Frames.encode(2, new byte[] {1}), Frames.encode(2, new byte[] {2})));
            Await.until("the session was made", WAIT, () -> made.size() == 1);
            Player player = made.peek();
            client.sendFrame(2, new byte[] {3}); // sent while the authenticator works: not read meanwhile
            Thread.sleep(200);
            assertThat(player.seen).isEmpty();
            later.complete("ann");
            FrameClient.Frame ok = client.readFrame();
            assertThat(ok.packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            ByteBuffer body = ByteBuffer.wrap(ok.body()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(body.getInt()).isEqualTo(player.id());
            assertThat(StandardCharsets.UTF_8.decode(body).toString()).isEqualTo("ann");
            assertThat(client.readFrame().packetId()).isEqualTo(50); // what onLogin sent
            assertThat(client.readFrame().body()).containsExactly(1);
            assertThat(client.readFrame().body()).containsExactly(2);
            assertThat(client.readFrame().body()).containsExactly(3);
            assertThat(player.seen).containsExactly("login ann", "packet 2", "packet 2", "packet 2");
            assertThat(player.principal()).isEqualTo("ann");
            client.write(login("user:ann"));
            assertKicked(client, KickReason.PROTOCOL_ERROR, "already logged in");
        } finally {
            listener.stop();
        }
    }

    @Test
    void thePrincipalLoggingInAgainKicksItsOlderSessionAndTheNewOneGoesOn() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("login-twice", new LoginSettings(true, Duration.ofSeconds(5), BY_NAME, null),
                made);
        try (FrameClient first = FrameClient.connect(listener.port());
                FrameClient second = FrameClient.connect(listener.port());
                FrameClient other = FrameClient.connect(listener.port())) {
            for (FrameClient client : List.of(first, second, other)) {
                client.readFrame();
            }
            first.write(login("user:bob"));
            assertThat(first.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            other.write(login("user:carol"));
            assertThat(other.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            second.write(login("user:bob"));
            assertThat(second.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            first.readFrame(); // onLogin's frame
            assertKicked(first, KickReason.DUPLICATE_LOGIN, "logged in again");
            second.readFrame();
            second.sendFrame(2, new byte[] {9});
            assertThat(second.readFrame().body()).containsExactly(9);
            other.readFrame();
            other.sendFrame(2, new byte[] {8});
            assertThat(other.readFrame().body()).containsExactly(8);
            Await.until("counted", WAIT, () -> closed("login-twice", "duplicate_login") == 1);
        } finally {
            listener.stop();
        }
    }

    /**
     * PROTOCOL.md: with login required, C_Login or C_Resume comes first. Before, C_ResumeEnable and C_Ack were
     * answered (or ignored) without a login, as often as a client liked: a stranger could keep a session alive
     * and make the gateway write without ever logging in.
     */
    @Test
    void beforeARequiredLoginOnlyOneResumeIsAnsweredAndEveryOtherSessionLayerFrameIsUnauthenticated()
            throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("login-first", new LoginSettings(true, Duration.ofSeconds(5), BY_NAME, null),
                made);
        try {
            for (int packetId : new int[] {SessionLayer.C_RESUME_ENABLE, SessionLayer.C_ACK}) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    client.sendFrame(packetId, packetId == SessionLayer.C_ACK ? new byte[8] : new byte[0]);
                    assertKicked(client, KickReason.UNAUTHENTICATED, "log in first");
                }
            }
            try (FrameClient client = FrameClient.connect(listener.port())) {
                client.readFrame();
                client.sendFrame(SessionLayer.C_RESUME, new byte[24]);
                assertThat(client.readFrame().packetId()).isEqualTo(SessionLayer.S_RESUME_FAILED);
                client.sendFrame(SessionLayer.C_RESUME, new byte[24]);
                assertKicked(client, KickReason.UNAUTHENTICATED, "log in first");
            }
            try (FrameClient client = FrameClient.connect(listener.port())) {
                client.readFrame();
                client.sendFrame(SessionLayer.C_RESUME, new byte[24]);
                assertThat(client.readFrame().packetId()).isEqualTo(SessionLayer.S_RESUME_FAILED);
                client.write(login("user:fay")); // a failed resume, then the login
                assertThat(client.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            }
            assertThat(made).allSatisfy(player -> assertThat(player.seen).doesNotContain("packet 2"));
        } finally {
            listener.stop();
        }
    }

    @Test
    void theSessionLayerIsTheEnginesWithOrWithoutALogin() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener optional = listener("login-optional", new LoginSettings(false, Duration.ofSeconds(5), BY_NAME, null),
                made);
        try (FrameClient client = FrameClient.connect(optional.port())) {
            client.readFrame();
            client.sendFrame(2, new byte[] {1}); // no login needed
            assertThat(client.readFrame().body()).containsExactly(1);
            client.sendFrame(SessionLayer.C_RESUME_ENABLE, new byte[0]); // without a login, where none is required
            FrameClient.Frame token = client.readFrame();
            assertThat(token.packetId()).isEqualTo(SessionLayer.S_RESUME_TOKEN);
            assertThat(token.body()).hasSize(16 + 4);
            client.sendFrame(SessionLayer.C_ACK, new byte[8]); // nothing received yet: taken
            client.write(login("user:dave")); // a login is still taken
            assertThat(client.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            assertThat(client.readFrame().packetId()).isEqualTo(50);
            client.sendFrame(0xFF77, new byte[0]);
            assertKicked(client, KickReason.PROTOCOL_ERROR, "reserved for the session layer");
            assertThat(made.peek().seen).containsExactly("packet 2", "login dave");
        } finally {
            optional.stop();
        }
        Listener none = listener("login-none", LoginSettings.none(), new ConcurrentLinkedQueue<>());
        try (FrameClient client = FrameClient.connect(none.port())) {
            client.readFrame();
            client.write(login("user:erin"));
            assertKicked(client, KickReason.UNAUTHENTICATED, "takes no login");
        } finally {
            none.stop();
        }
    }

    @Test
    void aRequiredLoginNeedsAVerifierAndFramedMode() {
        assertThatThrownBy(() -> new LoginSettings(true, Duration.ofSeconds(5), null, null))
                .hasMessageContaining("nothing verifies credentials");
        ServerCoreProperties raw = ServerCoreProperties.of(java.util.Map.of("listener.mode", "raw"));
        Listener listener = Endpoints.listener(context, "login-raw", raw, Player::new);
        try {
            assertThatThrownBy(() -> listener.setLogin(new LoginSettings(true, Duration.ofSeconds(5), BY_NAME, null)))
                    .hasMessageContaining("framed");
        } finally {
            listener.stop();
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
