package dev.servercore.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.ProxyV2;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code servercore.listener.proxy-protocol}: a PROXY v2 header first, and the session sees the client it names;
 * whatever is not a valid header in time is refused before any session exists.
 */
@LoopbackServerTest
class ProxyProtocolTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    /** What each session's onConnected was given, and every frame it received (then echoed). */
    final Queue<InetSocketAddress> connectedFrom = new ConcurrentLinkedQueue<>();
    final Queue<Integer> framesReceived = new ConcurrentLinkedQueue<>();
    private Listener listener;

    class AddressSession extends PacketSession {
        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            connectedFrom.add(endpoint);
            send(Frames.encode(1, endpoint.toString().getBytes()));
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            framesReceived.add(packetId);
            send(Frames.encode(packetId, body));
        }
    }

    private String name;

    @BeforeEach
    void name(TestInfo test) {
        name = "test-proxy-" + test.getTestMethod().orElseThrow().getName(); // meters are per name
    }

    private Listener listener(Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(Map.of("listener.proxy-protocol", true,
                "listener.proxy-protocol-timeout", "500ms"));
        settings.putAll(extra);
        listener = Endpoints.listener(context, name, ServerCoreProperties.of(settings), AddressSession::new);
        return listener;
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.stop();
        }
    }

    private double refused(String reason) {
        return Search.in(meters).name("servercore.sessions.refused").tag("endpoint", name).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double opened() {
        return meters.get("servercore.sessions.opened").tag("endpoint", name).counter().count();
    }

    private static InetSocketAddress address(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void aValidHeaderNamesTheClientTheSessionSeesIpv4AndIpv6() throws Exception {
        listener(Map.of());
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.write(ProxyV2.proxy("203.0.113.7", 4242));
            assertThat(new String(client.readFrame().body())).isEqualTo("/203.0.113.7:4242");
        }
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.write(ProxyV2.proxy(address("2001:db8::17", 5151), address("2001:db8::1", 7777), 40));
            assertThat(client.readFrame().body()).asString().isEqualTo(address("2001:db8::17", 5151).toString());
        }
        assertThat(connectedFrom).containsExactly(address("203.0.113.7", 4242), address("2001:db8::17", 5151));
    }

    @Test
    void aLocalHeaderLeavesTheConnectionsOwnAddress() throws Exception {
        listener(Map.of());
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.write(ProxyV2.local());
            assertThat(client.readFrame().body()).asString().isEqualTo("/127.0.0.1:" + client.localPort());
        }
    }

    @Test
    void aConnectionWithoutAHeaderIsRefusedAndNoFrameOfItReachesASession() throws Exception {
        listener(Map.of());
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.sendFrame(7, "hello".getBytes());
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
        }
        try (FrameClient silent = FrameClient.connect(listener.port())) {
            assertThat(silent.closedByPeerWithin(5_000)).as("no header within the timeout").isTrue();
        }
        Await.until("both refused", WAIT, () -> refused("proxy_header") == 2);
        assertThat(opened()).isZero();
        assertThat(connectedFrom).isEmpty();
        assertThat(framesReceived).isEmpty();
    }

    @Test
    void brokenHeadersAreRefused() throws Exception {
        listener(Map.of());
        byte[] good = ProxyV2.proxy("203.0.113.7", 4242);
        byte[] version1 = good.clone();
        version1[12] = 0x11; // version 1 in the binary form
        byte[] udp = good.clone();
        udp[13] = 0x12; // UDP over IPv4
        byte[] shortAddresses = ProxyV2.header(0x21, 0x11, new byte[6]);
        byte[] tooLong = ProxyV2.header(0x21, 0x11, new byte[12 + 2_000]);
        byte[] badSignature = good.clone();
        badSignature[5] = 0x0B;
        byte[][] broken = {version1, udp, shortAddresses, tooLong, badSignature,
                "PROXY TCP4 203.0.113.7 127.0.0.1 4242 7777\r\n".getBytes()};
        for (byte[] header : broken) {
            try (FrameClient client = FrameClient.connect(listener.port())) {
                client.write(header);
                client.sendFrame(7, new byte[3]);
                assertThat(client.closedByPeerWithin(5_000)).isTrue();
            } catch (java.net.SocketException resetWhileWriting) {
                // refused while the rest was on its way
            }
        }
        Await.until("all refused", WAIT, () -> refused("proxy_header") == broken.length);
        assertThat(opened()).isZero();
        assertThat(framesReceived).isEmpty();
    }

    @Test
    void aHeaderSplitOverReadsIsReassembled() throws Exception {
        listener(Map.of());
        byte[] header = ProxyV2.proxy(address("2001:db8::5", 6000), address("2001:db8::1", 7777), 100);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            int[] cuts = {5, 14, 17, 40, header.length};
            int from = 0;
            for (int cut : cuts) {
                client.write(java.util.Arrays.copyOfRange(header, from, cut));
                from = cut;
                Thread.sleep(50); // separate segments, so that the listener reads them apart
            }
            assertThat(client.readFrame().body()).asString().isEqualTo(address("2001:db8::5", 6000).toString());
        }
    }

    @Test
    void aFrameInTheSameReadAsTheHeaderIsTheSessionsFirstPacket() throws Exception {
        listener(Map.of());
        try (FrameClient client = FrameClient.connect(listener.port())) {
            byte[] header = ProxyV2.proxy("198.51.100.1", 1000);
            byte[] frames = concat(Frames.encode(7, "first".getBytes()), Frames.encode(8, "second".getBytes()));
            client.write(concat(header, frames)); // one write: one segment on loopback
            assertThat(client.readFrame().packetId()).isEqualTo(1);
            assertThat(new String(client.readFrame().body())).isEqualTo("first");
            assertThat(new String(client.readFrame().body())).isEqualTo("second");
        }
        assertThat(framesReceived).containsExactly(7, 8);
    }

    @Test
    void thePerAddressRulesJudgeTheAddressTheHeaderNames() throws Exception {
        listener(Map.of("listener.per-address.max-sessions", 2));
        try (FrameClient one = FrameClient.connect(listener.port());
                FrameClient two = FrameClient.connect(listener.port());
                FrameClient three = FrameClient.connect(listener.port());
                FrameClient other = FrameClient.connect(listener.port())) {
            for (FrameClient c : new FrameClient[] {one, two}) {
                c.write(ProxyV2.proxy("198.51.100.9", 1000 + c.localPort()));
                assertThat(c.readFrame().packetId()).isEqualTo(1);
            }
            three.write(ProxyV2.proxy("198.51.100.9", 999));
            assertThat(three.closedByPeerWithin(5_000)).isTrue();
            other.write(ProxyV2.proxy("198.51.100.10", 999));
            assertThat(other.readFrame().packetId()).as("the balancer's other clients are served").isEqualTo(1);
        }
        assertThat(refused("per_address")).isEqualTo(1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
