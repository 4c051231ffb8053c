package dev.servercore.server;

import dev.servercore.protocol.Echo;
import dev.servercore.protocol.Welcome;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.servercore.core.Listener;
import dev.servercore.testsupport.Actuator;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.HealthyClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Broken and hostile clients against the demo server: each closes only its own session, with the
 * reason it deserves, while a healthy session next to it keeps getting its echoes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1",
        "servercore.listener.idle-timeout=1500ms", "servercore.session.send-queue-limit=1MB",
        "servercore.session.write-timeout=2s",
        // without a byte budget: the slow consumer below must be dropped by its queue's bound, not its budget
        "servercore.session.rate-limit.bytes-per-second=0"})
class HostileClientsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Comfortably above the 1.5 s idle timeout. */
    private static final int CLOSE_WITHIN_MILLIS = 6_000;

    @Autowired
    Listener listener;
    @Autowired
    Environment environment;
    Actuator actuator;

    @BeforeEach
    void setUp() {
        actuator = Actuator.of(environment);
    }

    @Test
    void garbageAndBadSizesAreProtocolErrors() throws Exception {
        byte[][] badInputs = {
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), // size 0x4547
                {0, 0, 2, 0}, {1, 0, 2, 0}, {2, 0, 2, 0}, {3, 0, 2, 0},                  // sizes 0..3
                {0x01, 0x10, 2, 0},                                                      // 4097: one above the maximum
                {(byte) 0xFF, (byte) 0xFF, 2, 0},                                        // 65535
        };
        try (HealthyClient healthy = new HealthyClient(listener.port())) {
            for (byte[] bad : badInputs) {
                assertClosedWithReason("protocol_error", client -> client.write(bad));
            }
            // 1-byte writes: the second byte makes the size (0x2000 = 8192) too large
            assertClosedWithReason("protocol_error", client -> {
                client.write(new byte[] {0x00});
                Thread.sleep(50);
                client.write(new byte[] {0x20});
            });
        }
    }

    @Test
    void aHeaderThenSilenceOrAFrameCutMidBodyIsAnIdleTimeout() throws Exception {
        try (HealthyClient healthy = new HealthyClient(listener.port())) {
            assertClosedWithReason("idle_timeout", client -> client.write(new byte[] {40, 0, 2, 0}));
            assertClosedWithReason("idle_timeout", client -> client.write(new byte[] {40, 0, 2, 0, 1, 2, 3, 4, 5}));
            assertClosedWithReason("idle_timeout", client -> {
                for (byte b : new byte[] {40, 0, 2, 0, 9, 9}) { // 1-byte writes that stop mid-frame
                    client.write(new byte[] {b});
                    Thread.sleep(100);
                }
            });
            assertClosedWithReason("idle_timeout", client -> { }); // connects, says nothing
        }
    }

    @Test
    void aClientThatSendsTenThousandEchoesAndNeverReadsIsDroppedAsASlowConsumerWithinAHeapBound()
            throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = usedHeapAfterGc(memory);
        double slowBefore = closed("slow_consumer");
        try (HealthyClient healthy = new HealthyClient(listener.port());
                Socket reader = new Socket()) {
            reader.setReceiveBufferSize(4096); // and it never reads
            reader.connect(new InetSocketAddress("127.0.0.1", listener.port()));
            byte[] request = FrameClient.frame(Echo.ID, new byte[1000]);
            long sent = 0;
            try {
                for (int i = 0; i < 10_000; i++) {
                    reader.getOutputStream().write(request);
                    sent++;
                }
            } catch (IOException expected) {
                // the server dropped us while we were still writing
            }
            Await.until("the slow consumer dropped", WAIT, () -> closed("slow_consumer") == slowBefore + 1);
            long heapAfter = usedHeapAfterGc(memory);
            System.out.printf("slow consumer: %d requests written (%d bytes of echoes asked for); heap after GC %d -> %d"
                    + " KiB (%+d KiB)%n", sent, sent * request.length, heapBefore / 1024, heapAfter / 1024,
                    (heapAfter - heapBefore) / 1024);
            // The session's queue is bounded at 1 MiB; what the server holds afterwards must not grow with the
            // ~10 MB of echoes the client asked for.
            assertThat(heapAfter - heapBefore).isLessThan(8L * 1024 * 1024);
        }
    }

    private double closed(String reason) throws Exception {
        return actuator.metric("servercore.sessions.closed", "endpoint:listener", "reason:" + reason);
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    @FunctionalInterface
    interface Misbehaviour {
        void on(FrameClient client) throws Exception;
    }

    private void assertClosedWithReason(String reason, Misbehaviour misbehaviour) throws Exception {
        double before = closed(reason);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            misbehaviour.on(client);
            assertThat(client.closedByPeerWithin(CLOSE_WITHIN_MILLIS)).as("closed for " + reason).isTrue();
        }
        Await.until("closed as " + reason, WAIT, () -> closed(reason) == before + 1);
    }
}
