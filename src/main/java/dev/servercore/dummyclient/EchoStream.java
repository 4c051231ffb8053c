package dev.servercore.dummyclient;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The echo requests of one dummy session and the check of their replies. A request body is a function of
 * the session's seed and the request's sequence number, so a reply is checked against a regenerated copy
 * and nothing is kept per request but its send time. Used by the session's event loop only (the
 * first burst is sent from there too, on the welcome); the driver reads the counts once traffic stopped.
 */
final class EchoStream {

    /** Like the C# DummyClient: five greetings, then done. */
    static final int HELLO_COUNT = 5;

    private final LoadReport report;
    private final boolean load;
    private final int window;
    private final int bodySize;
    private final long seed;
    private final long[] sentAt;
    private volatile long sent;
    private volatile long answered;

    EchoStream(LoadReport report, DummyClientProperties properties, long seed) {
        this.report = report;
        this.load = properties.isLoad();
        this.window = load ? properties.getWindow() : HELLO_COUNT;
        this.bodySize = properties.getBodySize();
        this.seed = seed;
        this.sentAt = new long[window];
    }

    /** Requests to send at once when the session is welcomed. */
    int initialBurst() {
        return window;
    }

    /** The next request's body; records its send time. */
    byte[] nextRequest() {
        long seq = sent;
        sentAt[(int) (seq % window)] = System.nanoTime();
        sent = seq + 1;
        return body(seq);
    }

    /** The body the next reply must carry. */
    byte[] expectedReply() {
        return body(answered);
    }

    /**
     * A reply completed; true when another request should follow it (the window slides on).
     */
    boolean replied(boolean matches) {
        long seq = answered;
        report.reply(System.nanoTime() - sentAt[(int) (seq % window)], matches);
        answered = seq + 1;
        return load ? report.isSending() : false;
    }

    boolean isDone() {
        return !load && answered >= HELLO_COUNT;
    }

    /** Requests sent and not yet answered. */
    long outstanding() {
        return sent - answered;
    }

    private byte[] body(long seq) {
        if (!load) {
            return ("Hello World!" + seq).getBytes(StandardCharsets.UTF_8);
        }
        byte[] body = new byte[bodySize];
        long x = seed ^ (seq * 0x9E3779B97F4A7C15L);
        for (int i = 0; i < bodySize; i++) {
            if ((i & 7) == 0) {
                // xorshift64: cheap, and different for every session and sequence number
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            body[i] = (byte) (x >>> ((i & 7) << 3));
        }
        return body;
    }

    static boolean matches(ByteBuffer actual, byte[] expected) {
        return actual.equals(ByteBuffer.wrap(expected));
    }
}
