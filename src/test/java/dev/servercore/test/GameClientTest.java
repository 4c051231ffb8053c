package dev.servercore.test;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.servercore.core.Authenticator;
import dev.servercore.core.Frames;
import dev.servercore.core.KickReason;
import dev.servercore.core.Listener;
import dev.servercore.core.LoginRefusedException;
import dev.servercore.core.LoginSettings;
import dev.servercore.core.PacketSession;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test kit's client against a real listener on loopback: framing, login, kicks, bounded waits. */
@LoopbackServerTest
class GameClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int ECHO = 2;
    /** A game packet that makes the server send packets 20, 21, 22 in one write. */
    private static final int BURST = 30;
    /** A game packet whose body the server kicks the sender with, as game code. */
    private static final int KICK_ME = 31;

    @Autowired
    ApplicationContext context;
    private Listener listener;

    /** Welcomes; echoes; answers BURST with three packets; kicks on KICK_ME. */
    static class Game extends PacketSession {
        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(Frames.encode(GameClient.S_WELCOME, "hi there".getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            switch (packetId) {
                case BURST -> {
                    byte[] three = new byte[15];
                    System.arraycopy(Frames.encode(20, new byte[] {0}), 0, three, 0, 5);
                    System.arraycopy(Frames.encode(21, new byte[] {1}), 0, three, 5, 5);
                    System.arraycopy(Frames.encode(22, new byte[] {2}), 0, three, 10, 5);
                    send(three);
                }
                case KICK_ME -> kick(KickReason.KICKED, StandardCharsets.UTF_8.decode(body).toString());
                default -> send(Frames.encode(packetId, body));
            }
        }
    }

    static final Authenticator BY_NAME = credential -> {
        String text = new String(credential, StandardCharsets.UTF_8);
        return text.startsWith("user:") ? CompletableFuture.completedFuture(text.substring(5))
                : CompletableFuture.failedFuture(new LoginRefusedException("unknown user"));
    };

    private int start(String name, LoginSettings login) {
        listener = Endpoints.listener(context, name, ServerCoreProperties.defaults(), Game::new,
                l -> l.setLogin(login));
        return listener.port();
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.stop();
        }
    }

    @Test
    void withoutLoginItIsWelcomedAndGetsItsEchoesBack() {
        int port = start("kit-open", LoginSettings.none());
        try (GameClient client = GameClient.connect(port)) {
            assertThat(client.awaitWelcome()).isEqualTo("hi there");
            client.send(ECHO, "ping".getBytes(StandardCharsets.UTF_8));
            GameClient.Frame echo = client.awaitPacket(ECHO, WAIT);
            assertThat(echo.text()).isEqualTo("ping");
            client.send(ECHO, new byte[] {1, 0, 0, 0});
            assertThat(client.awaitPacket(ECHO, WAIT).buffer().getInt()).isEqualTo(1);
            assertThat(client.bytesSent()).isEqualTo(8 + 8);
            assertThat(client.bytesReceived()).isEqualTo(12 + 8 + 8);
        }
    }

    @Test
    void aRequiredLoginAnswersWithTheSessionIdAndPrincipal() {
        int port = start("kit-login", new LoginSettings(true, Duration.ofSeconds(5), BY_NAME, null));
        try (GameClient client = GameClient.connect(port)) {
            client.awaitWelcome();
            GameClient.LoginOk ok = client.login("user:ann");
            assertThat(ok.principal()).isEqualTo("ann");
            assertThat(ok.sessionId()).isPositive();
            assertThat(listener.sessions().all()).singleElement()
                    .satisfies(session -> assertThat((long) session.id()).isEqualTo(ok.sessionId()));
            client.send(ECHO, new byte[] {7});
            assertThat(client.awaitPacket(ECHO, WAIT).body()).containsExactly(7);
        }
    }

    @Test
    void aRefusedLoginIsAKickedExceptionWithTheReasonAndText() {
        int port = start("kit-refused", new LoginSettings(true, Duration.ofSeconds(5), BY_NAME, null));
        try (GameClient client = GameClient.connect(port)) {
            assertThatThrownBy(() -> client.login("nobody")).isInstanceOfSatisfying(KickedException.class, e -> {
                assertThat(e.kick().reason()).isEqualTo(KickReason.UNAUTHENTICATED);
                assertThat(e.kick().text()).contains("unknown user");
            });
            assertThat(client.awaitClosed(WAIT)).isTrue();
        }
    }

    @Test
    void aGamePacketBeforeARequiredLoginIsKickedUnauthenticated() {
        int port = start("kit-first", new LoginSettings(true, Duration.ofSeconds(5), BY_NAME, null));
        try (GameClient client = GameClient.connect(port)) {
            client.send(ECHO, new byte[] {1});
            assertThatThrownBy(() -> client.awaitPacket(ECHO, WAIT)).isInstanceOfSatisfying(KickedException.class,
                    e -> assertThat(e.kick().reason()).isEqualTo(KickReason.UNAUTHENTICATED));
            // the kick stays readable after the exception
            assertThat(client.awaitKick(WAIT).reason()).isEqualTo(KickReason.UNAUTHENTICATED);
            assertThat(client.awaitClosed(WAIT)).isTrue();
        }
    }

    @Test
    void kicksByGameCodeAndForProtocolErrorsCarryTheirReasons() {
        int port = start("kit-kicks", LoginSettings.none());
        try (GameClient client = GameClient.connect(port)) {
            client.awaitWelcome();
            client.send(KICK_ME, "go away".getBytes(StandardCharsets.UTF_8));
            GameClient.Kick kick = client.awaitKick(WAIT);
            assertThat(kick.reason()).isEqualTo(KickReason.KICKED);
            assertThat(kick.code()).isEqualTo(6);
            assertThat(kick.text()).isEqualTo("go away");
            assertThat(client.awaitClosed(WAIT)).isTrue();
        }
        try (GameClient client = GameClient.connect(port)) {
            client.awaitWelcome();
            client.sendFrame(new byte[] {2, 0, 2, 0}); // size 2: below the header
            assertThat(client.awaitKick(WAIT).reason()).isEqualTo(KickReason.PROTOCOL_ERROR);
            assertThat(client.awaitClosed(WAIT)).isTrue();
        }
    }

    @Test
    void awaitingOnePacketKeepsTheOthersInOrderForLater() {
        int port = start("kit-keep", LoginSettings.none());
        try (GameClient client = GameClient.connect(port)) {
            client.send(BURST, new byte[0]);
            assertThat(client.awaitPacket(22, WAIT).body()).containsExactly(2);
            assertThat(client.keptPackets()).extracting(GameClient.Frame::id).containsExactly(GameClient.S_WELCOME,
                    20, 21);
            assertThat(client.awaitPacket(21, WAIT).body()).containsExactly(1);
            assertThat(client.nextPacket(WAIT).id()).isEqualTo(GameClient.S_WELCOME);
            assertThat(client.nextPacket(WAIT).id()).isEqualTo(20);
            assertThat(client.keptPackets()).isEmpty();
        }
    }

    @Test
    void aPacketThatNeverComesTimesOutWithinItsTimeAndNamesWhatCameInstead() {
        int port = start("kit-timeout", LoginSettings.none());
        try (GameClient client = GameClient.connect(port)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.awaitPacket(99, Duration.ofMillis(300)))
                    .isInstanceOf(PacketTimeoutException.class).hasMessageContaining("packet 99")
                    .hasMessageContaining("skipped [1]");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).isBetween(250L, 3_000L);
            assertThat(client.awaitClosed(Duration.ofMillis(100))).isFalse();
            // the welcome that came meanwhile is still there
            assertThat(client.awaitWelcome()).isEqualTo("hi there");
        }
    }

    @Test
    void aServerThatClosesEndsTheWaitAtOnce() {
        int port = start("kit-closed", LoginSettings.none());
        try (GameClient client = GameClient.connect(port)) {
            client.awaitWelcome();
            listener.stop();
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.awaitPacket(ECHO, Duration.ofSeconds(20)))
                    .isInstanceOfAny(UncheckedIOException.class, KickedException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000L);
        }
    }

    @Test
    void framesCutAnywhereAreReassembled() {
        int port = start("kit-split", LoginSettings.none());
        try (GameClient client = GameClient.connect(port)) {
            client.awaitWelcome();
            byte[] big = new byte[3_000];
            big[2_999] = 42;
            byte[] frame = Frames.encode(ECHO, big);
            byte[] first = java.util.Arrays.copyOfRange(frame, 0, 3);
            byte[] rest = java.util.Arrays.copyOfRange(frame, 3, frame.length);
            client.sendFrame(first);
            client.sendFrame(rest);
            assertThat(client.awaitPacket(ECHO, WAIT).body()).hasSize(3_000).endsWith(42);
        }
    }
}
