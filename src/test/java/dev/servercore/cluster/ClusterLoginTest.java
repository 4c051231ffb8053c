package dev.servercore.cluster;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import dev.servercore.core.KickReason;
import dev.servercore.core.SessionLayer;
import dev.servercore.testsupport.ClusterNodes;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LatencyProxy;
import dev.servercore.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.servercore.testsupport.Tokens.claims;
import static dev.servercore.testsupport.Tokens.token;
import static dev.servercore.testsupport.ClusterNodes.gamePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md v3: a principal that logs in while a session of it is open on another gateway of the cluster
 * kicks the older one ({@code S_Kick(duplicate_login)}); two logins at once leave exactly one session.
 */
class ClusterLoginTest {

    private static final String SECRET = "the-cluster-test-secret-of-32-bytes-or-more";

    private static FrameClient logIn(int port, String principal) throws Exception {
        FrameClient client = FrameClient.connect(port);
        client.readFrame(); // S_Welcome
        String token = token(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256,
                claims(principal).build());
        client.sendFrame(SessionLayer.C_LOGIN, token.getBytes(StandardCharsets.UTF_8));
        return client;
    }

    private static boolean isDuplicateLoginKick(FrameClient.Frame frame) {
        return frame.packetId() == SessionLayer.S_KICK && kickReason(frame) == KickReason.DUPLICATE_LOGIN.code();
    }

    private static int kickReason(FrameClient.Frame frame) {
        return ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
    }

    @Test
    void aLoginOnOneGatewayKicksTheSamePrincipalsSessionOnTheOther() throws Exception {
        Map<String, Object> login = Map.of("servercore.login.required", true, "servercore.login.jwt.hmac-secret",
                SECRET);
        try (RedisServer redis = RedisServer.start(); ClusterNodes cluster = new ClusterNodes(redis)) {
            ConfigurableApplicationContext a = cluster.start(login);
            ConfigurableApplicationContext b = cluster.start(login);
            try (FrameClient onA = logIn(gamePort(a), "zoe")) {
                assertThat(onA.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
                long start = System.nanoTime();
                try (FrameClient onB = logIn(gamePort(b), "zoe")) {
                    assertThat(onB.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
                    FrameClient.Frame kick = onA.readFrame();
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertThat(kick.packetId()).isEqualTo(SessionLayer.S_KICK);
                    assertThat(kickReason(kick)).isEqualTo(KickReason.DUPLICATE_LOGIN.code());
                    assertThat(onA.closedByPeerWithin(5_000)).isTrue();
                    System.out.printf("[cluster login] the older session on the other gateway was kicked %d ms after "
                            + "the new login began%n", millis);
                    onB.socket().setSoTimeout(500);
                    assertThat(onB.closedByPeerWithin(500)).as("the new session goes on").isFalse();
                }
            }

            // the same principal logging in on both gateways at once: Redis orders the two, one session is left
            for (int round = 0; round < 3; round++) {
                String principal = "yuri-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<FrameClient> clients = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (ConfigurableApplicationContext node : List.of(a, b)) {
                    Thread thread = new Thread(() -> {
                        try {
                            go.await();
                            FrameClient client = logIn(gamePort(node), principal);
                            synchronized (clients) {
                                clients.add(client);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                go.countDown();
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
                int alive = 0;
                for (FrameClient client : clients) {
                    // the login that Redis ordered first may be displaced before its S_LoginOk went out: then its
                    // first answer is the kick
                    FrameClient.Frame first = client.readFrame();
                    boolean kicked = isDuplicateLoginKick(first);
                    if (!kicked) {
                        assertThat(first.packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
                        client.socket().setSoTimeout(5_000); // a displaced login's kick comes through Redis
                        try {
                            kicked = isDuplicateLoginKick(client.readFrame());
                        } catch (java.net.SocketTimeoutException stillOpen) {
                            kicked = false;
                        }
                    }
                    if (!kicked) {
                        alive++;
                    }
                    client.close();
                }
                assertThat(alive).as("sessions of " + principal + " left").isEqualTo(1);
            }
        }
    }

    /**
     * A gateway far from Redis: its login's claim takes a while to get there. A client told S_LoginOk there that
     * then logs in on a gateway near Redis is still the later login (before, the far gateway's claim arrived
     * second and displaced the new session instead of the old one).
     */
    @Test
    void aLoginAnsweredOnAGatewayFarFromRedisIsTheOlderOneWhateverTheLatency() throws Exception {
        Map<String, Object> login = Map.of("servercore.login.required", true, "servercore.login.jwt.hmac-secret",
                SECRET);
        try (RedisServer redis = RedisServer.start(); ClusterNodes cluster = new ClusterNodes(redis);
                LatencyProxy slowLink = LatencyProxy.start(redis.port(), Duration.ofMillis(150))) {
            Map<String, Object> far = new java.util.HashMap<>(login);
            far.put("spring.data.redis.port", slowLink.port());
            ConfigurableApplicationContext a = cluster.start(far);
            ConfigurableApplicationContext b = cluster.start(login);
            try (FrameClient onA = logIn(gamePort(a), "ada")) {
                assertThat(onA.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
                try (FrameClient onB = logIn(gamePort(b), "ada")) {
                    assertThat(onB.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
                    onB.socket().setSoTimeout(2_000);
                    assertThat(onB.closedByPeerWithin(2_000)).as("the newer login, on the near gateway, goes on")
                            .isFalse();
                    FrameClient.Frame kick = onA.readFrame();
                    assertThat(kick.packetId()).isEqualTo(SessionLayer.S_KICK);
                    assertThat(kickReason(kick)).isEqualTo(KickReason.DUPLICATE_LOGIN.code());
                }
            }
        }
    }
}
