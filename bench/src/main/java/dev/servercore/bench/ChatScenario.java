package dev.servercore.bench;

import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * chat: every session listens; the last {@code senders} of them each send {@code rate} C_Chat per second.
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
    /** --resume: each session makes itself resumable (PROTOCOL.md v3) and acknowledges every 256 numbered frames. */
    static volatile boolean resume;
    /** A chat's text: "c", then sender index, sequence number and send time as fixed-width hex (ASCII, so UTF-8). */
    static final int TEXT_LENGTH = 1 + 8 + 8 + 16;

    static final class ChatSession extends Fleet.SessionBase {
        private final boolean sender;
        private final long periodNanos;
        private long seq;
        private ScheduledFuture<?> timer;
        /** The senders are the sessions firstSender.. (arrays by sender, not maps: checking is per delivery). */
        private final int firstSender;
        /** Per sender: the next sequence number expected (-1: none seen yet), and the server's id for it (-1). */
        private final long[] nextSeq;
        private final long[] senderIds;
        long deliveredInWindow;
        /** Numbered frames received (resume on). */
        private long numbered;

        ChatSession(int index, int firstSender, int senders, int rate) {
            super(index);
            this.sender = index >= firstSender;
            this.firstSender = firstSender;
            this.periodNanos = 1_000_000_000L / rate;
            this.nextSeq = new long[senders];
            this.senderIds = new long[senders];
            java.util.Arrays.fill(nextSeq, -1);
            java.util.Arrays.fill(senderIds, -1);
        }

        @Override
        void onWelcome(ChannelHandlerContext ctx) {
            if (resume) {
                ctx.writeAndFlush(Proto.frame(ctx.alloc(), 0xFF10, 0), ctx.voidPromise()); // C_ResumeEnable
            }
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
            if (resume && packetId >= 0xFF00) {
                return; // S_ResumeToken, S_Ack
            }
            if (resume && ++numbered % 256 == 0) {
                ByteBuf ack = Proto.frame(ctx.alloc(), 0xFF12, 8); // C_Ack
                ack.writeLongLE(numbered);
                ctx.write(ack, ctx.voidPromise());
                needFlush = true; // flushed once, with the read batch
            }
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
            int from = (int) hex8(in.getLong(text + 1));
            long s = hex8(in.getLong(text + 9));
            long sentAt = hex8(in.getLong(text + 17)) << 32 | hex8(in.getLong(text + 25));
            int slot = from - firstSender;
            if (slot < 0 || slot >= nextSeq.length) {
                ls.malformed++;
                return;
            }
            long expected = nextSeq[slot]; // none yet: this session joined after the sender began
            if (expected >= 0 && s != expected) {
                ls.outOfOrder++; // a gap (a lost chat) or a reordering
            }
            nextSeq[slot] = s + 1;
            if (senderIds[slot] < 0) {
                senderIds[slot] = senderId;
            } else if (senderIds[slot] != senderId) {
                ls.badSenderIds++;
            }
            if (sentAt >= windowStart && sentAt < windowEnd) {
                deliveredInWindow++;
                ls.measured++;
                ls.record(ls.latency, now - sentAt);
                int nodes = fleet.ports.length;
                if (nodes > 1) {
                    ls.record(from % nodes == index % nodes ? ls.sameNode : ls.crossNode, now - sentAt);
                }
            }
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static void writeHex(ByteBuf b, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            b.writeByte(HEX[(int) (value >>> shift) & 0xF]);
        }
    }

    /**
     * Eight lower-case ASCII hex digits, the first in the highest byte (as {@link ByteBuf#getLong} reads them),
     * decoded at once: checking every delivery must cost the generator less than delivering it costs the server.
     */
    static long hex8(long digits) {
        long v = (digits & 0x0F0F0F0F0F0F0F0FL) + 9 * ((digits >>> 6) & 0x0101010101010101L); // a byte per digit
        v = (v | v >>> 4) & 0x00FF00FF00FF00FFL; // two digits per 16 bits
        v = (v | v >>> 8) & 0x0000FFFF0000FFFFL; // four per 32
        return (v | v >>> 16) & 0xFFFFFFFFL;
    }

    /**
     * Sleeps {@code nanos}; with a file, until that file exists (nanos bounding the wait): so that a script that
     * reads the servers' CPU can make the measured window its own ({@code --start-file}, {@code --stop-file}).
     */
    private static void waitPhase(long nanos, String file) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        if (file == null) {
            Thread.sleep(nanos / 1_000_000);
            return;
        }
        while (!java.nio.file.Files.exists(java.nio.file.Path.of(file))) {
            if (System.nanoTime() >= end) {
                Fleet.log("no " + file + " after " + nanos / 1_000_000_000 + " s: the phase ends by time");
                return;
            }
            Thread.sleep(20);
        }
    }

    static int run(Args a) throws Exception {
        String host = a.str("host", "127.0.0.1");
        int[] ports = a.ports();
        int sessions = a.integer("sessions", 200);
        int senders = Math.min(sessions, a.integer("senders", 20));
        int rate = a.integer("rate", 50);
        resume = a.integer("resume", 0) == 1;
        long warmup = a.nanos("warmup", "5s");
        long duration = a.nanos("duration", "10s");
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        if (ports.length == 0 || java.util.Arrays.stream(ports).anyMatch(p -> p <= 0)) {
            throw new IllegalArgumentException("--port (or --ports, one per node) is required");
        }
        try (Fleet fleet = new Fleet(host, ports, threads, Proto.DEFAULT_MAX_FRAME)) {
            Fleet.phase = Fleet.WARMUP;
            // listeners first, then senders: every chat in the window must reach all sessions
            Fleet.ConnectResult cr = fleet.connect(sessions, i -> new ChatSession(i, sessions - senders, senders, rate),
                    a.integer("connect-pending", 256), 3, a.nanos("welcome-timeout", "15s"), a.nanos("connect-timeout", "60s"));
            Fleet.log("connected: " + cr.describe());
            waitPhase(warmup, a.str("start-file", null));
            windowStart = System.nanoTime();
            CpuWindow cpu = CpuWindow.start(a);
            Fleet.phase = Fleet.MEASURE;
            waitPhase(duration, a.str("stop-file", null));
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
            Histogram same = new Histogram(1, Fleet.HIST_MAX_US, 3);
            Histogram cross = new Histogram(1, Fleet.HIST_MAX_US, 3);
            long[] c = fleet.totals(ls -> {
                synchronized (h) {
                    h.add(ls.latency);
                    same.add(ls.sameNode);
                    cross.add(ls.crossNode);
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
                    + (ports.length > 1 ? " nodes=" + ports.length + " same_node_p99_us=" + same.getValueAtPercentile(99)
                            + " cross_node_p99_us=" + cross.getValueAtPercentile(99) : "")
                    + " errors=" + c[0] + " unexpected_closes=" + c[1] + " protocol_errors=" + c[2] + " malformed=" + c[3]
                    + " out_of_order=" + c[4] + " bad_sender_ids=" + c[5] + " unexpected_packets=" + c[6]
                    + " transport=" + Transport.name(Transport.GENERATOR) + " threads=" + threads);
        }
        return 0;
    }
}
