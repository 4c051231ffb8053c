package dev.servercore.core;

import java.util.Map;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Sends from many threads at once, and closes from both ends at once, on real sockets. */
@LoopbackServerTest
class SessionConcurrencyTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;

    /** A server session that only records its life. */
    static class CountingSession extends Session {
        final AtomicInteger disconnects = new AtomicInteger();
        final CountDownLatch connected = new CountDownLatch(1);

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            connected.countDown();
        }

        @Override
        protected void onRecv(ByteBuffer data) {
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            disconnects.incrementAndGet();
        }
    }

    @Test
    void eightThreadsSendingToOneSessionDeliverEveryFrameIntactAndEachThreadsInItsOrder() throws Exception {
        int threads = 8;
        int framesPerThread = 5_000;
        Queue<CountingSession> opened = new ConcurrentLinkedQueue<>();
        // 8 threads queue 1.6 MB faster than one client reads it: this test is about order, not the limit
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "session.send-queue-limit", "64MB"));
        Listener listener = Endpoints.listener(context, "test-eight", properties, () -> {
            CountingSession session = new CountingSession();
            opened.add(session);
            return session;
        });
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            Await.until("the session opened", WAIT, () -> !opened.isEmpty());
            CountingSession session = opened.peek();
            assertThat(session.connected.await(10, TimeUnit.SECONDS)).isTrue();

            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> sending = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                sending.add(senders.submit(() -> {
                    start.await();
                    for (int seq = 0; seq < framesPerThread; seq++) {
                        // body: thread, sequence number, then a length and filler that depend on both
                        int filler = (thread * 31 + seq) % 64;
                        ByteBuffer body = ByteBuffer.allocate(8 + filler).order(ByteOrder.LITTLE_ENDIAN);
                        body.putInt(thread).putInt(seq);
                        while (body.hasRemaining()) {
                            body.put((byte) (thread ^ seq));
                        }
                        assertThat(session.send(Frames.encode(7, body.flip()))).isTrue();
                    }
                    return null;
                }));
            }

            int[] next = new int[threads];
            for (int i = 0; i < threads * framesPerThread; i++) {
                FrameClient.Frame frame = client.readFrame();
                assertThat(frame.packetId()).isEqualTo(7);
                ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN);
                int thread = body.getInt();
                int seq = body.getInt();
                assertThat(seq).as("thread %d's frames in order", thread).isEqualTo(next[thread]++);
                assertThat(body.remaining()).isEqualTo((thread * 31 + seq) % 64);
                while (body.hasRemaining()) {
                    assertThat(body.get()).isEqualTo((byte) (thread ^ seq));
                }
            }
            for (Future<?> f : sending) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(next).containsOnly(framesPerThread);
            assertThat(session.queuedBytes()).isZero();
        } finally {
            senders.shutdownNow();
            listener.stop();
        }
    }

    @Test
    void onDisconnectedRunsExactlyOnceWhenThePeerClosesWhileTheServerDisconnects() throws Exception {
        int rounds = 200;
        Queue<CountingSession> opened = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "test-race", ServerCoreProperties.defaults(), () -> {
            CountingSession session = new CountingSession();
            opened.add(session);
            return session;
        });
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < rounds; round++) {
                FrameClient client = FrameClient.connect(listener.port());
                int expected = round + 1;
                Await.until("session opened", WAIT, () -> opened.size() == expected);
                CountingSession session = new ArrayList<>(opened).get(round);
                assertThat(session.connected.await(10, TimeUnit.SECONDS)).isTrue();
                CyclicBarrier both = new CyclicBarrier(2);
                Future<?> serverSide = closer.submit(() -> {
                    both.await();
                    session.disconnect();
                    return null;
                });
                both.await();
                client.close();
                serverSide.get(10, TimeUnit.SECONDS);
            }
            Await.until("every session ended", WAIT,
                    () -> opened.stream().allMatch(s -> s.closeReason() != null) && listener.sessions().count() == 0);
            Thread.sleep(200); // a second onDisconnected would show up by now
            assertThat(opened).hasSize(rounds).allSatisfy(s -> assertThat(s.disconnects.get()).isEqualTo(1));
        } finally {
            closer.shutdownNow();
            listener.stop();
        }
    }
}
