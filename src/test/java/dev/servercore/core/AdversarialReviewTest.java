package dev.servercore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.servercore.core.ResumeTest.Player;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.ResumingClient;

/**
 * Adversarial review of the engine change after d557ea0 (drain gating, the S_Ack timer's set, close forwarding after a
 * hand-over), over real sockets on loopback.
 */
@LoopbackServerTest
class AdversarialReviewTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;

    /** After resumable sessions end by every path (plain end, drop then resume, half-open resume), no loop acks. */
    @Test
    void noConnectionIsLeftInALoopsAckingSetOnceItsSessionEnds() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = ResumeTest.listener(context, "adv-acking-leak", made, Map.of());
        try {
            for (int round = 0; round < 6; round++) {
                ResumingClient client = ResumingClient.open(listener.port());
                Player player = made.stream().skip(made.size() - 1).findFirst().orElseThrow();
                client.send(ResumeTest.ECHO, ResumeTest.number(1));
                assertThat(ResumeTest.numberIn(client.read())).isEqualTo(1);
                if (round % 3 == 1) {
                    ResumeReviewTest.reset(client.connection());
                    Await.until("detached", WAIT, player::isDetached);
                    assertThat(client.resume(listener.port()).resumed()).isTrue();
                } else if (round % 3 == 2) {
                    assertThat(client.resume(listener.port()).resumed()).isTrue(); // half-open
                }
                client.send(ResumeTest.ECHO, ResumeTest.number(2));
                assertThat(ResumeTest.numberIn(client.read())).isEqualTo(2);
                player.abort();
                Await.until("ended", WAIT, () -> player.closeReason() != null);
                client.close();
            }
            Await.until("no loop holds an acking connection", WAIT,
                    () -> listener.loops.stream().noneMatch(EventLoop::hasAcking));
        } finally {
            listener.stop();
        }
    }

    /** Sends from another thread while the client drops and resumes over and over: each arrives once, in order. */
    @Test
    void sendsFromAnotherThreadAcrossDropsAndResumesArriveOnceInOrder() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = ResumeTest.listener(context, "adv-order-resume", made,
                Map.of("session.send-queue-limit", "32MB"));
        try {
            ResumingClient client = ResumingClient.open(listener.port());
            Player player = made.peek();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger last = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
            Thread sender = new Thread(() -> {
                int n = 1;
                while (!stop.get() && player.closeReason() == null) {
                    if (n - seen.get() > 1500) {
                        Thread.onSpinWait();
                        continue;
                    }
                    if (player.send(Frames.encode(ResumeTest.PUSH, ResumeTest.number(n)))) {
                        last.set(n);
                        n++;
                    }
                    if ((n & 63) == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            sender.start();
            int expected = 1;
            try {
                for (int round = 0; round < 15; round++) {
                    for (int i = 0; i < 300; i++) {
                        int got = ResumeTest.numberIn(client.read());
                        assertThat(got).as("round %d", round).isEqualTo(expected);
                        expected++;
                        seen.set(expected);
                    }
                    client.ack();
                    if (round % 2 == 0) {
                        ResumeReviewTest.reset(client.connection());
                        Await.until("detached", WAIT, player::isDetached);
                    }
                    assertThat(client.resume(listener.port()).resumed()).as("round %d", round).isTrue();
                }
            } finally {
                stop.set(true);
                sender.join(5_000);
            }
            int end = last.get();
            while (expected <= end) {
                assertThat(ResumeTest.numberIn(client.read())).isEqualTo(expected);
                expected++;
            }
            assertThat(player.closeReason()).isNull();
        } finally {
            listener.stop();
        }
    }
}
