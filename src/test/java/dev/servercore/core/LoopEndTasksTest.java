package dev.servercore.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found in the review of issue 15 (the test failed before the fix): loop end. {@code EventLoop.execute} is check-then-act: it reads {@code terminated}, then offers
 * the task. The loop's thread ends with {@code endRemaining(); terminated = true; endRemaining();}. A thread that read
 * {@code terminated == false} just before it was set, and offers after the second {@code endRemaining} found the queue
 * empty, gets no RejectedExecutionException, yet its task never runs. Every caller trusts that contract: the
 * connector's connect thread then waits handshake-timeout + 10 s for an {@code open} task that never comes and never
 * closes its connected channel (nor releases its place); a TLS handshake's resumption, a login verdict, a drain are
 * lost the same way. Real threads, no mocks: the loop's thread is the one {@link EventLoop#threadStarter()} makes, its
 * select loop an empty task (as a stopped factory's is), raced by a thread that posts until it is refused.
 */
class LoopEndTasksTest {

    @Test
    void aTaskAcceptedWhileTheLoopEndsIsNeverRun() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.defaults();
        EndpointContext endpoint = new EndpointContext("review-loop-end", true,
                properties.getSession().toSettings(Duration.ZERO, 10), new SessionRegistry());
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        int trials = 0;
        int stranded = 0;
        long strandedTasks = 0;
        while (System.nanoTime() < deadline && trials < 2_000 && stranded == 0) {
            trials++;
            EventLoop loop = new EventLoop("review-loop-end-" + trials, endpoint);
            if (trials == 1) {
                endpoint.metrics(new SessionMetrics(new SimpleMeterRegistry(), "server", endpoint, List.of(loop)));
            }
            AtomicLong accepted = new AtomicLong();
            AtomicLong ran = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            Thread poster = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (true) {
                    try {
                        loop.execute(ran::incrementAndGet);
                    } catch (RejectedExecutionException refused) {
                        return; // the loop says it has ended: from here on nothing is accepted
                    }
                    accepted.incrementAndGet();
                }
            }, "review-poster");
            poster.start();
            loop.threadStarter().execute(go::countDown); // the select loop returns at once: the loop ends
            poster.join();
            loop.thread().join();
            if (accepted.get() != ran.get()) {
                stranded++;
                strandedTasks += accepted.get() - ran.get();
            }
        }
        assertThat(stranded).as("loop ends (of %s) after which a task that execute() accepted never ran (%s such tasks)",
                trials, strandedTasks).isZero();
    }
}
