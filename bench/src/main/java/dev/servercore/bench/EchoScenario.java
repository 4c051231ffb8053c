package dev.servercore.bench;

import dev.servercore.core.Frames;
import dev.servercore.protocol.Echo;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * echo: every session keeps `inflight` C_Echo requests outstanding; each answer is checked byte for byte
 * against the request expected next (so order is checked too) and its round trip recorded.
 */
final class EchoScenario {
    private EchoScenario() {
    }

    static final class EchoSession extends Fleet.SessionBase {
        private final int inflight;
        private final int body;
        private final long seed;
        private final long[] sentAt;
        long sent;
        long received;

        EchoSession(int index, int inflight, int body) {
            super(index);
            this.inflight = inflight;
            this.body = body;
            this.seed = Fleet.Pattern.mix(0x5EED_0000L + index);
            this.sentAt = new long[inflight];
        }

        @Override
        void onWelcome(ChannelHandlerContext ctx) {
            long now = System.nanoTime();
            for (int i = 0; i < inflight; i++) {
                send(ctx, now);
            }
            ctx.flush();
        }

        private void send(ChannelHandlerContext ctx, long now) {
            ByteBuf b = Proto.frame(ctx.alloc(), Echo.ID, body);
            Fleet.Pattern.write(b, seed, sent, body);
            sentAt[(int) (sent % inflight)] = now;
            sent++;
            ctx.write(b, ctx.voidPromise());
        }

        @Override
        void onPacket(ChannelHandlerContext ctx, int packetId, ByteBuf in, int off, int len) {
            if (packetId != Echo.ID) {
                ls.unexpectedPackets++;
                return;
            }
            long now = System.nanoTime();
            if (received >= sent) {
                ls.mismatches++; // an answer nobody asked for
                return;
            }
            if (len != body || !Fleet.Pattern.check(in, off, seed, received, body)) {
                ls.mismatches++;
            }
            long rtt = now - sentAt[(int) (received % inflight)];
            received++;
            int p = Fleet.phase;
            if (p == Fleet.MEASURE) {
                ls.measured++;
                ls.record(ls.latency, rtt);
            }
            if (p < Fleet.DRAIN) {
                send(ctx, now);
                needFlush = true;
            }
        }
    }

    static int run(Args a) throws Exception {
        String host = a.str("host", "127.0.0.1");
        int port = a.integer("port", -1);
        int sessions = a.integer("sessions", 100);
        int inflight = Math.max(1, a.integer("inflight", 8));
        int body = a.integer("body", 32);
        long warmup = a.nanos("warmup", "5s");
        long duration = a.nanos("duration", "10s");
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        int maxFrame = a.integer("max-frame", Proto.DEFAULT_MAX_FRAME);
        if (port <= 0) {
            throw new IllegalArgumentException("--port is required");
        }
        if (body < 0 || body > maxFrame - Frames.HEADER_SIZE) {
            throw new IllegalArgumentException("--body must be within 0.." + (maxFrame - Frames.HEADER_SIZE));
        }

        try (Fleet fleet = new Fleet(host, port, threads, maxFrame)) {
            Fleet.phase = Fleet.WARMUP;
            Fleet.ConnectResult cr = fleet.connect(sessions, i -> new EchoSession(i, inflight, body),
                    a.integer("connect-pending", 256), a.integer("connect-retries", 3),
                    a.nanos("welcome-timeout", "15s"), a.nanos("connect-timeout", "60s"));
            Fleet.log("connected: " + cr.describe());

            Thread.sleep(warmup / 1_000_000);
            long t0 = System.nanoTime();
            CpuWindow cpu = CpuWindow.start(a);
            Fleet.phase = Fleet.MEASURE;
            Thread.sleep(duration / 1_000_000);
            Fleet.phase = Fleet.DRAIN;
            String cpuFigures = cpu.figures();
            double window = (System.nanoTime() - t0) / 1e9;

            // Let the answers still in flight arrive, so they are checked too (bounded).
            long drainEnd = System.nanoTime() + a.nanos("drain", "2s");
            long outstanding;
            do {
                Thread.sleep(50);
                outstanding = sum(fleet.onLoops(ls -> {
                    long o = 0;
                    for (Fleet.SessionBase s : ls.sessions) {
                        EchoSession e = (EchoSession) s;
                        if (e.active()) {
                            o += e.sent - e.received;
                        }
                    }
                    return o;
                }, 5000));
            } while (outstanding > 0 && System.nanoTime() < drainEnd);

            Histogram h = new Histogram(1, Fleet.HIST_MAX_US, 3);
            long[] c = fleet.totals(ls -> {
                synchronized (h) {
                    h.add(ls.latency);
                }
                return new long[] {ls.measured, ls.mismatches, ls.errors, ls.unexpectedCloses, ls.protocolErrors,
                        ls.unexpectedPackets, ls.badWelcomes, Fleet.alive(ls)};
            });
            long echoes = c[0];
            System.out.println("RESULT mode=echo sessions=" + sessions + " inflight=" + inflight + " body=" + body
                    + " connected=" + cr.welcomed.get() + " alive_at_end=" + c[7]
                    + " window_s=" + fmt(window) + " " + cpuFigures + " echoes=" + echoes
                    + " echoes_per_s=" + fmt(echoes / window)
                    + " rtt_p50_us=" + h.getValueAtPercentile(50) + " rtt_p99_us=" + h.getValueAtPercentile(99)
                    + " rtt_max_us=" + h.getMaxValue()
                    + " mismatches=" + c[1] + " unanswered=" + outstanding + " errors=" + c[2]
                    + " unexpected_closes=" + c[3] + " protocol_errors=" + c[4] + " unexpected_packets=" + c[5]
                    + " bad_welcomes=" + c[6] + " " + cr.describe()
                    + " transport=" + Transport.name(Transport.GENERATOR) + " threads=" + threads);
        }
        return 0;
    }

    static long sum(List<Long> xs) {
        long s = 0;
        for (long x : xs) {
            s += x;
        }
        return s;
    }

    static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.2f", d);
    }
}
