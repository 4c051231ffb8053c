package dev.servercore.bench;

import dev.servercore.core.Frames;
import dev.servercore.protocol.Welcome;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A set of client sessions on a few event loops. State that changes per message lives in {@link LoopState}
 * (one per event-loop thread, touched only by that thread, read by tasks run on that thread), so the hot
 * path has no shared writes.
 */
final class Fleet implements AutoCloseable {
    /** Phases of a scenario; sessions read it per message. */
    static final int WARMUP = 0;
    static final int MEASURE = 1;
    static final int DRAIN = 2;

    static volatile int phase = WARMUP;

    static final long HIST_MAX_US = 3_600_000_000L;

    final MultiThreadIoEventLoopGroup group;
    final String host;
    /** Session i connects to ports[i % ports.length] (several: the nodes of a cluster). */
    final int[] ports;
    final int maxFrame;
    private final Bootstrap bootstrap;
    private final ConcurrentHashMap<EventLoop, LoopState> loops = new ConcurrentHashMap<>();
    volatile boolean closing;

    Fleet(String host, int port, int threads, int maxFrame) {
        this(host, new int[] {port}, threads, maxFrame);
    }

    Fleet(String host, int[] ports, int threads, int maxFrame) {
        this.host = host;
        this.ports = ports.clone();
        this.maxFrame = maxFrame;
        this.group = Transport.group(Transport.GENERATOR, threads);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(Transport.clientChannel(Transport.GENERATOR))
                .option(ChannelOption.TCP_NODELAY, true)
                // closed with a reset, leaving no TIME_WAIT: a run of 10,000 sessions then one of 19,000 would
                // otherwise run out of loopback ports
                .option(ChannelOption.SO_LINGER, 0)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    LoopState loopState(EventLoop loop) {
        return loops.computeIfAbsent(loop, LoopState::new);
    }

    /** Runs fn on every event loop (on that loop's thread) and returns the results. */
    <T> List<T> onLoops(Function<LoopState, T> fn, long timeoutMillis) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (LoopState ls : loops.values()) {
            futures.add(ls.loop.submit(() -> fn.apply(ls)));
        }
        List<T> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Future<T> f : futures) {
            long left = Math.max(1, deadline - System.nanoTime());
            if (!f.await(left, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("event loop did not answer within " + timeoutMillis + " ms");
            }
            if (!f.isSuccess()) {
                throw new IllegalStateException("task on event loop failed", f.cause());
            }
            out.add(f.getNow());
        }
        return out;
    }

    /** Runs fn on every event loop and adds up the arrays it returns, element by element. */
    long[] totals(Function<LoopState, long[]> fn) throws Exception {
        long[] sum = null;
        for (long[] part : onLoops(fn, 5000)) {
            if (sum == null) {
                sum = new long[part.length];
            }
            for (int i = 0; i < part.length; i++) {
                sum[i] += part[i];
            }
        }
        return sum == null ? new long[0] : sum;
    }

    /** Sessions of a loop whose channel is still open. */
    static long alive(LoopState ls) {
        long alive = 0;
        for (SessionBase s : ls.sessions) {
            alive += s.active() ? 1 : 0;
        }
        return alive;
    }

    /** Counters of one connect phase. */
    static final class ConnectResult {
        final AtomicInteger welcomed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger welcomeTimeouts = new AtomicInteger();
        final AtomicInteger closedBeforeWelcome = new AtomicInteger();
        int attempted;
        double seconds;
        boolean deadlineHit;

        String describe() {
            return "attempted=" + attempted + " welcomed=" + welcomed.get() + " connect_failed=" + failed.get()
                    + " connect_retries=" + retries.get() + " welcome_timeouts=" + welcomeTimeouts.get()
                    + " closed_before_welcome=" + closedBeforeWelcome.get()
                    + " connect_s=" + String.format("%.2f", seconds) + " connect_deadline_hit=" + deadlineHit;
        }
    }

    /**
     * Opens count sessions, never more than maxPending of them waiting for their welcome at once (so the
     * server's accept backlog is never overrun), retrying a failed connect up to retries times. Returns when
     * every session has its welcome or has given up, or at the deadline.
     */
    ConnectResult connect(int count, IntFunction<SessionBase> factory, int maxPending, int retries,
                          long welcomeTimeoutNanos, long phaseTimeoutNanos) throws InterruptedException {
        ConnectResult result = new ConnectResult();
        Semaphore permits = new Semaphore(maxPending);
        long start = System.nanoTime();
        long deadline = start + phaseTimeoutNanos;
        long lastLog = start;
        for (int i = 0; i < count; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                result.deadlineHit = true;
                break;
            }
            result.attempted++;
            attempt(i, 0, factory, permits, result, retries, welcomeTimeoutNanos, deadline);
            long now = System.nanoTime();
            if (now - lastLog > 2_000_000_000L) {
                lastLog = now;
                log("connecting: " + (i + 1) + "/" + count + " started, " + result.welcomed.get() + " welcomed");
            }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !permits.tryAcquire(maxPending, Math.max(left, 0), TimeUnit.NANOSECONDS)) {
            result.deadlineHit = true;
        } else {
            permits.release(maxPending);
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        return result;
    }

    private void attempt(int index, int tryNo, IntFunction<SessionBase> factory, Semaphore permits,
                         ConnectResult result, int retries, long welcomeTimeoutNanos, long deadline) {
        if (closing) {
            permits.release();
            return;
        }
        SessionBase session = factory.apply(index);
        session.bind(this, permits, result, welcomeTimeoutNanos);
        ChannelFuture f = bootstrap.clone().handler(session).connect(host, ports[index % ports.length]);
        f.addListener(done -> {
            if (done.isSuccess()) {
                return; // the session releases its permit on welcome, close or welcome timeout
            }
            if (tryNo < retries && !closing && System.nanoTime() < deadline) {
                result.retries.incrementAndGet();
                group.schedule(() -> attempt(index, tryNo + 1, factory, permits, result, retries,
                        welcomeTimeoutNanos, deadline), 50L * (tryNo + 1), TimeUnit.MILLISECONDS);
            } else {
                if (result.failed.incrementAndGet() == 1) {
                    log("first failed connect, to port " + ports[index % ports.length] + ": " + done.cause());
                }
                permits.release();
            }
        });
    }

    @Override
    public void close() {
        closing = true;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(20, TimeUnit.SECONDS);
    }

    static void log(String msg) {
        System.err.println("[gen] " + msg);
    }

    /** Counters and histograms owned by one event-loop thread. */
    static final class LoopState {
        final EventLoop loop;
        final List<SessionBase> sessions = new ArrayList<>();
        final Histogram latency = new Histogram(1, HIST_MAX_US, 3);
        /** chat over several nodes: deliveries from a sender on the receiver's node, and from another node */
        final Histogram sameNode = new Histogram(1, HIST_MAX_US, 3);
        final Histogram crossNode = new Histogram(1, HIST_MAX_US, 3);

        long errors;
        long unexpectedCloses;
        long protocolErrors;
        long unexpectedPackets;
        long badWelcomes;
        long mismatches;
        long measured;      // echoes or chat deliveries received in the measured window
        // chat
        long malformed;
        long badSenderIds;
        long outOfOrder;
        // idle / maxsessions probe echo
        long probeAnswered;
        final Histogram probeLatency = new Histogram(1, HIST_MAX_US, 3);

        LoopState(EventLoop loop) {
            this.loop = loop;
        }

        void record(Histogram h, long nanos) {
            long us = Math.max(1, nanos / 1000);
            h.recordValue(Math.min(us, HIST_MAX_US));
        }
    }

    /**
     * Base client session: parses frames in place (no per-frame objects), checks the welcome, tracks
     * closes and errors, and flushes once per read batch when a subclass wrote something.
     */
    abstract static class SessionBase extends ByteToMessageDecoder {
        final int index;
        Fleet fleet;
        LoopState ls;
        ChannelHandlerContext ctx;
        boolean welcomed;
        boolean needFlush;
        private boolean settled;
        private Semaphore permits;
        private ConnectResult result;
        private long welcomeTimeoutNanos;
        private ScheduledFuture<?> welcomeTimer;

        SessionBase(int index) {
            this.index = index;
        }

        final void bind(Fleet fleet, Semaphore permits, ConnectResult result, long welcomeTimeoutNanos) {
            this.fleet = fleet;
            this.permits = permits;
            this.result = result;
            this.welcomeTimeoutNanos = welcomeTimeoutNanos;
        }

        boolean active() {
            return ctx != null && ctx.channel().isActive();
        }

        private void settle() {
            if (!settled) {
                settled = true;
                if (welcomeTimer != null) {
                    welcomeTimer.cancel(false);
                }
                permits.release();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            this.ctx = ctx;
            this.ls = fleet.loopState(ctx.channel().eventLoop());
            ls.sessions.add(this);
            welcomeTimer = ctx.executor().schedule(() -> {
                if (!welcomed && !settled) {
                    result.welcomeTimeouts.incrementAndGet();
                    settle();
                }
            }, welcomeTimeoutNanos, TimeUnit.NANOSECONDS);
            super.channelActive(ctx);
        }

        @Override
        protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= 2) {
                int ri = in.readerIndex();
                int size = in.getUnsignedShortLE(ri);
                if (size < Frames.HEADER_SIZE || size > fleet.maxFrame) {
                    ls.protocolErrors++;
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                if (in.readableBytes() < size) {
                    return;
                }
                int packetId = in.getUnsignedShortLE(ri + 2);
                if (packetId == Welcome.ID && !welcomed) {
                    onWelcomeFrame(ctx, in, ri + Frames.HEADER_SIZE, size - Frames.HEADER_SIZE);
                } else if (!welcomed) {
                    ls.protocolErrors++; // anything before the welcome breaks the contract
                } else {
                    onPacket(ctx, packetId, in, ri + Frames.HEADER_SIZE, size - Frames.HEADER_SIZE);
                }
                in.readerIndex(ri + size);
            }
        }

        private void onWelcomeFrame(ChannelHandlerContext ctx, ByteBuf in, int off, int len) {
            boolean ok = len == Proto.WELCOME_BYTES.length;
            for (int i = 0; ok && i < len; i++) {
                ok = in.getByte(off + i) == Proto.WELCOME_BYTES[i];
            }
            if (!ok) {
                ls.badWelcomes++;
            }
            welcomed = true;
            result.welcomed.incrementAndGet();
            settle();
            onWelcome(ctx);
        }

        /** Called on the first S_Welcome. */
        void onWelcome(ChannelHandlerContext ctx) {
        }

        /** Called for every frame after the welcome; the body is in[off, off+len), do not move indices. */
        abstract void onPacket(ChannelHandlerContext ctx, int packetId, ByteBuf in, int off, int len);

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            super.channelReadComplete(ctx);
            if (needFlush) {
                needFlush = false;
                ctx.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!fleet.closing) {
                ls.unexpectedCloses++;
                if (!welcomed) {
                    result.closedBeforeWelcome.incrementAndGet();
                }
            }
            settle();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!fleet.closing) {
                if (ls != null) {
                    ls.errors++;
                }
                if (ls == null || ls.errors <= 3) {
                    log("session " + index + ": " + cause);
                }
            }
            ctx.close();
        }
    }

    /** Deterministic echo bodies: word k of request seq of a session is mix(seed + seq*C1 + k*C2). */
    static final class Pattern {
        private Pattern() {
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        static long word(long seed, long seq, int k) {
            return mix(seed + seq * 0x9E3779B97F4A7C15L + k * 0xD1B54A32D192ED03L);
        }

        static void write(ByteBuf b, long seed, long seq, int len) {
            int k = 0;
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                b.writeLongLE(word(seed, seq, k++));
            }
            if (i < len) {
                long w = word(seed, seq, k);
                for (; i < len; i++) {
                    b.writeByte((int) w);
                    w >>>= 8;
                }
            }
        }

        static boolean check(ByteBuf b, int off, long seed, long seq, int len) {
            int k = 0;
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                if (b.getLongLE(off + i) != word(seed, seq, k++)) {
                    return false;
                }
            }
            if (i < len) {
                long w = word(seed, seq, k);
                for (; i < len; i++) {
                    if (b.getByte(off + i) != (byte) w) {
                        return false;
                    }
                    w >>>= 8;
                }
            }
            return true;
        }
    }
}
