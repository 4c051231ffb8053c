package dev.servercore.bench;

import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * chat: every session listens; the first {@code senders} of them each send {@code rate} C_Chat per second.
 * A chat's text carries its sender, sequence number and send time, so every S_Chat delivered is checked
 * (sender, order, a stable sender id) and timed. Chats sent in the measured window must reach every
 * session: deliveries expected minus deliveries seen are losses.
 */
final class ChatScenario {
    private ChatScenario() {
    }

    /** Chats sent while measuring, over all senders; read after the drain. */
    static final AtomicLong sentInWindow = new AtomicLong();
    /** The measured window, in System.nanoTime(); empty until the warm-up ends. */
    static volatile long windowStart = Long.MAX_VALUE;
    static volatile long windowEnd = Long.MAX_VALUE;
    /** A chat's text: "c", then sender index, sequence number and send time as fixed-width hex (ASCII, so UTF-8). */
    static final int TEXT_LENGTH = 1 + 8 + 8 + 16;

    static final class ChatSession extends Fleet.SessionBase {
        private final boolean sender;
        private final long periodNanos;
        private long seq;
        private ScheduledFuture<?> timer;
        /** Per sender index: the next sequence number expected, and the server's id for that sender. */
        private final Map<Integer, Long> nextSeq = new HashMap<>();
        private final Map<Integer, Long> senderIds = new HashMap<>();
        long deliveredInWindow;

        ChatSession(int index, boolean sender, int rate) {
            super(index);
            this.sender = sender;
            this.periodNanos = 1_000_000_000L / rate;
        }

        @Override
        void onWelcome(ChannelHandlerContext ctx) {
            if (sender) {
                // start at a random phase so senders do not tick in step
                long delay = (long) (Math.random() * periodNanos);
                timer = ctx.executor().scheduleAtFixedRate(() -> sendChat(ctx), delay, periodNanos,
                        TimeUnit.NANOSECONDS);
            }
        }

        private void sendChat(ChannelHandlerContext ctx) {
            if (Fleet.phase >= Fleet.DRAIN || !ctx.channel().isActive()) {
                if (timer != null) {
                    timer.cancel(false);
                }
                return;
            }
            long now = System.nanoTime();
            ByteBuf b = Proto.frame(ctx.alloc(), ChatRequest.ID, TEXT_LENGTH);
            b.writeByte('c');
            writeHex(b, index, 8);
            writeHex(b, seq++, 8);
            writeHex(b, now, 16);
            ctx.writeAndFlush(b, ctx.voidPromise());
            if (now >= windowStart && now < windowEnd && Fleet.phase == Fleet.MEASURE) {
                sentInWindow.incrementAndGet();
            }
        }

        @Override
        void onPacket(ChannelHandlerContext ctx, int packetId, ByteBuf in, int off, int len) {
            if (packetId != ChatMessage.ID) {
                ls.unexpectedPackets++;
                return;
            }
            long now = System.nanoTime();
            if (len < 4) {
                ls.malformed++;
                return;
            }
            long senderId = in.getUnsignedIntLE(off);
            int text = off + 4;
            if (len - 4 != TEXT_LENGTH || in.getByte(text) != 'c') {
                ls.malformed++;
                return;
            }
            int from = (int) readHex(in, text + 1, 8);
            long s = readHex(in, text + 9, 8);
            long sentAt = readHex(in, text + 17, 16);
            Long expected = nextSeq.get(from); // none yet: this session joined after the sender began
            if (expected != null && s != expected) {
                ls.outOfOrder++; // a gap (a lost chat) or a reordering
            }
            nextSeq.put(from, s + 1);
            Long knownId = senderIds.putIfAbsent(from, senderId);
            if (knownId != null && knownId != senderId) {
                ls.badSenderIds++;
            }
            if (sentAt >= windowStart && sentAt < windowEnd) {
                deliveredInWindow++;
                ls.measured++;
                ls.record(ls.latency, now - sentAt);
            }
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static void writeHex(ByteBuf b, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            b.writeByte(HEX[(int) (value >>> shift) & 0xF]);
        }
    }

    static long readHex(ByteBuf b, int at, int digits) {
        long value = 0;
        for (int i = 0; i < digits; i++) {
            int c = b.getByte(at + i);
            value = value << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return value;
    }

    static int run(Args a) throws Exception {
        String host = a.str("host", "127.0.0.1");
        int port = a.integer("port", -1);
        int sessions = a.integer("sessions", 200);
        int senders = Math.min(sessions, a.integer("senders", 20));
        int rate = a.integer("rate", 50);
        long warmup = a.nanos("warmup", "5s");
        long duration = a.nanos("duration", "10s");
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        if (port <= 0) {
            throw new IllegalArgumentException("--port is required");
        }
        try (Fleet fleet = new Fleet(host, port, threads, Proto.DEFAULT_MAX_FRAME)) {
            Fleet.phase = Fleet.WARMUP;
            // listeners first, then senders: every chat in the window must reach all sessions
            Fleet.ConnectResult cr = fleet.connect(sessions, i -> new ChatSession(i, i >= sessions - senders, rate),
                    a.integer("connect-pending", 256), 3, a.nanos("welcome-timeout", "15s"), a.nanos("connect-timeout", "60s"));
            Fleet.log("connected: " + cr.describe());
            Thread.sleep(warmup / 1_000_000);
            windowStart = System.nanoTime();
            CpuWindow cpu = CpuWindow.start(a);
            Fleet.phase = Fleet.MEASURE;
            Thread.sleep(duration / 1_000_000);
            windowEnd = System.nanoTime();
            String cpuFigures = cpu.figures();
            Fleet.phase = Fleet.DRAIN;
            double window = (windowEnd - windowStart) / 1e9;
            long expected = sentInWindow.get() * cr.welcomed.get();
            long drainEnd = System.nanoTime() + a.nanos("drain", "5s");
            long delivered;
            do {
                Thread.sleep(100);
                delivered = EchoScenario.sum(fleet.onLoops(ls -> {
                    long d = 0;
                    for (Fleet.SessionBase s : ls.sessions) {
                        d += ((ChatSession) s).deliveredInWindow;
                    }
                    return d;
                }, 5000));
            } while (delivered < expected && System.nanoTime() < drainEnd);

            Histogram h = new Histogram(1, Fleet.HIST_MAX_US, 3);
            long[] c = fleet.totals(ls -> {
                synchronized (h) {
                    h.add(ls.latency);
                }
                return new long[] {ls.errors, ls.unexpectedCloses, ls.protocolErrors, ls.malformed, ls.outOfOrder,
                        ls.badSenderIds, ls.unexpectedPackets};
            });
            System.out.println("RESULT mode=chat sessions=" + sessions + " senders=" + senders + " rate=" + rate
                    + " connected=" + cr.welcomed.get() + " window_s=" + EchoScenario.fmt(window) + " " + cpuFigures
                    + " chats_sent=" + sentInWindow.get() + " deliveries=" + delivered + " expected=" + expected
                    + " losses=" + Math.max(0, expected - delivered)
                    + " deliveries_per_s=" + EchoScenario.fmt(delivered / window)
                    + " delivery_p50_us=" + h.getValueAtPercentile(50) + " delivery_p99_us=" + h.getValueAtPercentile(99)
                    + " delivery_max_us=" + h.getMaxValue()
                    + " errors=" + c[0] + " unexpected_closes=" + c[1] + " protocol_errors=" + c[2] + " malformed=" + c[3]
                    + " out_of_order=" + c[4] + " bad_sender_ids=" + c[5] + " unexpected_packets=" + c[6]
                    + " transport=" + Transport.name(Transport.GENERATOR) + " threads=" + threads);
        }
        return 0;
    }
}
