package dev.servercore.core;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Found in the review of issue 15 (the test failed before the fix): login gate. {@code ServerSessionLayer.verdict} runs as a plain loop task, not as a
 * {@code callback}: it clears the login deadline ({@code connection.loggedIn}), queues {@code S_LoginOk}, then calls
 * {@code Logins.loggedIn}, which calls the public {@link LoginDirectory} SPI inside {@code ConcurrentHashMap.compute}.
 * If the directory throws (its store is down, a bug), the task dies there: the layer stays AUTHENTICATING, the
 * {@code HOLD_LOGIN} read hold is never released, {@code onLogin} never runs, the frames held since the login are never
 * delivered, and no login deadline is left to end it. The client has its S_LoginOk and then silence: nothing it sends
 * is read again, until the idle timeout (60 s by default; never with idle-timeout 0).
 */
@LoopbackServerTest
class LoginDirectoryFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;

    static class Player extends PacketSession {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(Frames.encode(1, new byte[0]));
        }

        @Override
        protected void onLogin() {
            seen.add("login " + principal());
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            seen.add("packet " + packetId);
            send(Frames.encode(packetId, body));
        }
    }

    /** A directory whose store is unreachable: its claim throws (the SPI says only that it must not block). */
    static final class BrokenDirectory implements LoginDirectory {
        @Override
        public void attach(BiConsumer<String, Integer> displace) {
        }

        @Override
        public java.util.concurrent.CompletionStage<?> claimed(String principal, int sessionId) {
            throw new IllegalStateException("the directory's store is unreachable");
        }

        @Override
        public void released(String principal, int sessionId) {
        }
    }

    @Test
    void aDirectoryThatThrowsLeavesTheLoggedInSessionHeldForeverWithNoDeadline() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Authenticator anyone = credential -> CompletableFuture.completedFuture(
                new String(credential, StandardCharsets.UTF_8));
        LoginSettings login = new LoginSettings(true, Duration.ofMillis(1_500), anyone, new BrokenDirectory());
        Listener listener = Endpoints.listener(context, "review-login-dir", ServerCoreProperties.defaults(), () -> {
            Player p = new Player();
            made.add(p);
            return p;
        }, l -> l.setLogin(login));
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame(); // welcome
            client.write(concat(Frames.encode(SessionLayer.C_LOGIN, "ann".getBytes(StandardCharsets.UTF_8)),
                    Frames.encode(2, new byte[] {7})));
            FrameClient.Frame ok = client.readFrame();
            assertThat(ok.packetId()).as("S_LoginOk").isEqualTo(SessionLayer.S_LOGIN_OK);
            Await.until("session made", WAIT, () -> made.size() == 1);
            Player player = made.peek();

            client.sendFrame(2, new byte[] {8}); // sent after S_LoginOk
            client.socket().setSoTimeout(5_000); // > 3x the login timeout
            try {
                FrameClient.Frame next = client.readFrame();
                // fine: the held frame came back (or the server told why it ends the session)
                assertThat(next.packetId()).isIn(2, SessionLayer.S_KICK);
            } catch (SocketTimeoutException silence) {
                fail("after S_LoginOk the session answered nothing for 5 s (login timeout 1.5 s) and was not closed: "
                        + "onLogin ran: " + player.seen.contains("login ann") + ", game code saw: " + player.seen
                        + ", session still open: " + player.isConnected() + ", principal: " + player.principal());
            }
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
