package dev.servercore.bench;

import dev.servercore.protocol.Echo;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.HdrHistogram.Histogram;

/**
 * hold: opens {@code sessions} sessions and keeps them idle for {@code hold}, printing {@code HELD n} on
 * stdout once they are all welcomed (the moment to read the server's memory), then sends one echo on every
 * session and counts the answers: every session must still be served.
 */
final class HoldScenario {
    private HoldScenario() {
    }

    static final class HeldSession extends Fleet.SessionBase {
        private static final byte[] PROBE = "are you still there?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        private long probeSentAt;
        volatile boolean answered;

        HeldSession(int index) {
            super(index);
        }

        void probe() {
            ByteBuf b = Proto.frame(ctx.alloc(), Echo.ID, PROBE.length);
            b.writeBytes(PROBE);
            probeSentAt = System.nanoTime();
            ctx.writeAndFlush(b, ctx.voidPromise());
        }

        @Override
        void onPacket(ChannelHandlerContext ctx, int packetId, ByteBuf in, int off, int len) {
            boolean ok = packetId == Echo.ID && len == PROBE.length && !answered;
            for (int i = 0; ok && i < len; i++) {
                ok = in.getByte(off + i) == PROBE[i];
            }
            if (!ok) {
                ls.mismatches++;
                return;
            }
            answered = true;
            ls.probeAnswered++;
            ls.record(ls.probeLatency, System.nanoTime() - probeSentAt);
        }
    }

    static int run(Args a) throws Exception {
        String host = a.str("host", "127.0.0.1");
        int port = a.integer("port", -1);
        int sessions = a.integer("sessions", 10_000);
        long hold = a.nanos("hold", "15s");
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        if (port <= 0) {
            throw new IllegalArgumentException("--port is required");
        }
        try (Fleet fleet = new Fleet(host, port, threads, Proto.DEFAULT_MAX_FRAME)) {
            Fleet.phase = Fleet.MEASURE;
            Fleet.ConnectResult cr = fleet.connect(sessions, HeldSession::new, a.integer("connect-pending", 256),
                    a.integer("connect-retries", 5), a.nanos("welcome-timeout", "30s"), a.nanos("connect-timeout", "180s"));
            Fleet.log("connected: " + cr.describe());
            System.out.println("HELD " + cr.welcomed.get());
            System.out.flush();
            Thread.sleep(hold / 1_000_000);

            fleet.onLoops(ls -> {
                for (Fleet.SessionBase s : ls.sessions) {
                    if (s.active()) {
                        ((HeldSession) s).probe();
                    }
                }
                return 0;
            }, 30_000);
            long deadline = System.nanoTime() + a.nanos("probe-timeout", "30s");
            long answered;
            do {
                Thread.sleep(100);
                answered = EchoScenario.sum(fleet.onLoops(ls -> ls.probeAnswered, 5000));
            } while (answered < cr.welcomed.get() && System.nanoTime() < deadline);

            Histogram h = new Histogram(1, Fleet.HIST_MAX_US, 3);
            long[] c = fleet.totals(ls -> {
                synchronized (h) {
                    h.add(ls.probeLatency);
                }
                return new long[] {ls.unexpectedCloses, ls.errors, ls.mismatches, Fleet.alive(ls)};
            });
            System.out.println("RESULT mode=hold sessions=" + sessions + " welcomed=" + cr.welcomed.get()
                    + " alive_at_end=" + c[3] + " answered=" + answered
                    + " probe_p50_us=" + h.getValueAtPercentile(50) + " probe_p99_us=" + h.getValueAtPercentile(99)
                    + " unexpected_closes=" + c[0] + " errors=" + c[1] + " mismatches=" + c[2] + " " + cr.describe()
                    + " transport=" + Transport.name(Transport.GENERATOR) + " threads=" + threads);
        }
        return 0;
    }
}
