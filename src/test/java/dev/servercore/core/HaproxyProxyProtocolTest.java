package dev.servercore.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.Haproxy;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The real HAProxy with send-proxy-v2 in front of a listener with proxy-protocol on. */
@LoopbackServerTest
class HaproxyProxyProtocolTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    final Queue<InetSocketAddress> connectedFrom = new ConcurrentLinkedQueue<>();

    class AddressSession extends PacketSession {
        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            connectedFrom.add(endpoint);
            send(Frames.encode(1, endpoint.toString().getBytes()));
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            send(Frames.encode(packetId, body));
        }
    }

    private double refused(String endpoint, String reason) {
        return meters.get("servercore.sessions.refused").tag("endpoint", endpoint).tag("reason", reason).counter()
                .count();
    }

    @Test
    void aClientThroughHaproxyIsSeenWithItsOwnAddressAndTheRulesPerAddressApplyToIt() throws Exception {
        ServerCoreProperties settings = ServerCoreProperties.of(Map.of("listener.proxy-protocol", true,
                "listener.per-address.max-sessions", 1));
        Listener listener = Endpoints.listener(context, "test-haproxy", settings, AddressSession::new);
        try (Haproxy haproxy = Haproxy.inFrontOf(listener.port(), "send-proxy-v2");
                FrameClient client = FrameClient.connectFrom("127.0.0.4", haproxy.port())) {
            InetSocketAddress own = (InetSocketAddress) client.socket().getLocalSocketAddress();
            assertThat(new String(client.readFrame().body())).isEqualTo(own.toString());
            client.sendFrame(7, new byte[] {4, 2});
            assertThat(client.readFrame().body()).containsExactly(4, 2);
            assertThat(connectedFrom).containsExactly(own);

            try (FrameClient second = FrameClient.connectFrom("127.0.0.4", haproxy.port());
                    FrameClient other = FrameClient.connectFrom("127.0.0.5", haproxy.port())) {
                assertThat(second.closedByPeerWithin(5_000)).as("127.0.0.4's second session").isTrue();
                assertThat(new String(other.readFrame().body())).as("127.0.0.5, through the same balancer")
                        .isEqualTo(other.socket().getLocalSocketAddress().toString());
            }
            assertThat(refused("test-haproxy", "per_address")).isEqualTo(1);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aClientStraightToTheListenerWithoutAHeaderOrThroughHaproxyWithoutSendProxyIsRefused() throws Exception {
        ServerCoreProperties settings = ServerCoreProperties.of(Map.of("listener.proxy-protocol", true));
        Listener listener = Endpoints.listener(context, "test-haproxy-none", settings, AddressSession::new);
        try (Haproxy plain = Haproxy.inFrontOf(listener.port(), "")) {
            try (FrameClient straight = FrameClient.connectFrom("127.0.0.4", listener.port())) {
                straight.sendFrame(7, "no header".getBytes());
                assertThat(straight.closedByPeerWithin(5_000)).isTrue();
            }
            try (FrameClient through = FrameClient.connectFrom("127.0.0.4", plain.port())) {
                through.sendFrame(7, "a balancer that sends none".getBytes());
                assertThat(through.closedByPeerWithin(5_000)).isTrue();
            }
            Await.until("both refused", WAIT, () -> refused("test-haproxy-none", "proxy_header") == 2);
            assertThat(connectedFrom).isEmpty();
        } finally {
            listener.stop();
        }
    }
}
