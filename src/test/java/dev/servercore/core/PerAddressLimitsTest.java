package dev.servercore.core;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener's rules per client address, with their defaults, against clients on other loopback addresses
 * (127.0.0.2 and up play other hosts; 127.0.0.1 is exempt by default).
 */
@LoopbackServerTest
@ExtendWith(OutputCaptureExtension.class)
class PerAddressLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private Listener listener(String name, Map<String, Object> settings) {
        return Endpoints.listener(context, name, ServerCoreProperties.of(settings),
                SessionLifecycleTest.EchoSession::new);
    }

    /** Refusals for {@code reason}, or for any reason when it is null. */
    private double refused(Listener listener, String reason) {
        Search search = Search.in(meters).name("servercore.sessions.refused").tag("endpoint", listener.name());
        return (reason == null ? search : search.tag("reason", reason)).counters().stream().mapToDouble(c -> c.count())
                .sum();
    }

    /** Connects and reads the welcome: true if served, false if the listener closed the connection at once. */
    private static boolean served(FrameClient client) {
        try {
            return client.readFrame().packetId() == 1;
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void oneAddressCannotTakeEverySessionOfTheListenerWithTheDefaults() throws Exception {
        Listener listener = listener("test-one-address", Map.of("listener.max-sessions", 300));
        List<FrameClient> clients = new ArrayList<>();
        try {
            int served = 0;
            for (int i = 0; i < 300; i++) {
                FrameClient client = FrameClient.connectFrom("127.0.0.2", listener.port());
                clients.add(client);
                if (served(client)) {
                    served++;
                }
            }
            assertThat(served).as("sessions one address got of 300").isEqualTo(256);
            assertThat(refused(listener, "per_address")).isEqualTo(44);

            FrameClient other = FrameClient.connectFrom("127.0.0.3", listener.port());
            clients.add(other);
            assertThat(served(other)).as("another address is still served").isTrue();
            other.sendFrame(7, new byte[] {1, 2, 3});
            assertThat(other.readFrame().body()).containsExactly(1, 2, 3);
        } finally {
            for (FrameClient client : clients) {
                client.close();
            }
            listener.stop();
        }
    }

    @Test
    void churnFromOneAddressAboveItsConnectRateIsRefusedAndCountedWhileAnotherAddressIsServed() throws Exception {
        Listener listener = listener("test-churn-rate", Map.of());
        try (FrameClient honest = FrameClient.connectFrom("127.0.0.3", listener.port())) {
            assertThat(served(honest)).isTrue();
            long start = System.nanoTime();
            int served = 0;
            for (int i = 0; i < 600; i++) {
                try (FrameClient churner = FrameClient.connectFrom("127.0.0.2", listener.port())) {
                    if (served(churner)) {
                        served++;
                    }
                }
                if (i % 100 == 0) {
                    honest.sendFrame(7, new byte[] {(byte) i});
                    assertThat(honest.readFrame().body()).containsExactly((byte) i);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("churn: 600 connects from one address in %.2f s, %d served%n", seconds, served);
            // the default bucket: 256 at once, then 32 a second
            assertThat((double) served).isLessThanOrEqualTo(256 + 32 * seconds + 1);
            assertThat(refused(listener, "connect_rate")).isPositive();
            assertThat(refused(listener, "connect_rate") + refused(listener, "per_address")).isEqualTo(600 - served);
            honest.sendFrame(7, new byte[] {9});
            assertThat(honest.readFrame().body()).containsExactly(9);
        } finally {
            listener.stop();
        }
    }

    @Test
    void theHostsOwnLoopbackAddressIsExemptSoBenchmarksAndHealthChecksAreNotLimited() throws Exception {
        Listener listener = listener("test-exempt", Map.of("listener.max-sessions", 400));
        List<FrameClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                FrameClient client = FrameClient.connectFrom("127.0.0.1", listener.port());
                clients.add(client);
                assertThat(served(client)).as("session %d from 127.0.0.1", i).isTrue();
            }
        } finally {
            for (FrameClient client : clients) {
                client.close();
            }
            listener.stop();
        }
    }

    @Test
    void refusalsAreLoggedAtMostOnceASecondWithACountOfTheRest(CapturedOutput output) throws Exception {
        Listener listener = listener("test-refusal-log", Map.of("listener.max-sessions", 1));
        try (FrameClient holder = FrameClient.connect(listener.port())) {
            assertThat(served(holder)).isTrue();
            int before = output.getOut().length();
            long start = System.nanoTime();
            for (int i = 0; i < 300; i++) {
                try (FrameClient refused = FrameClient.connect(listener.port())) {
                    assertThat(served(refused)).isFalse();
                }
            }
            Await.until("300 refusals counted", WAIT, () -> refused(listener, null) == 300);
            double seconds = (System.nanoTime() - start) / 1e9;
            long lines = output.getOut().substring(before).lines()
                    .filter(l -> l.contains(listener.name()) && l.toLowerCase().contains("refus")).count();
            System.out.printf("300 refusals in %.2f s wrote %d log lines%n", seconds, lines);
            assertThat((double) lines).isLessThanOrEqualTo(Math.ceil(seconds) + 1);
            assertThat(refused(listener, "max_sessions")).isEqualTo(300);
        } finally {
            listener.stop();
        }
    }
}
