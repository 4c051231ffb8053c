package dev.servercore.dummyclient;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.SessionLayer;

/**
 * The client side of PROTOCOL.md's resume numbering, for one logical session: how many numbered server frames it
 * has received (what {@code C_Ack} and {@code C_Resume} carry), and its own numbered frames, kept until an
 * {@code S_Ack} (or {@code S_Resumed}) covers them. Not thread-safe: its link guards it.
 */
final class ResumeLedger {

    /** A C_Ack after this many numbered frames, whatever the timer. */
    static final int ACK_EVERY = 256;

    private long received;
    private long acked;
    /** Numbered client frames sent so far; the last of them is number {@code sent}. */
    private long sent;
    /** Frames {@code sent - kept.size() + 1 .. sent}, in order. */
    private final ArrayDeque<byte[]> kept = new ArrayDeque<>();

    /** A numbered server frame arrived; returns its number. */
    long frameReceived() {
        return ++received;
    }

    long received() {
        return received;
    }

    /** Enough frames arrived since the last C_Ack that one is due now. */
    boolean ackDue() {
        return received - acked >= ACK_EVERY;
    }

    /** Something arrived since the last C_Ack (the timer's question). */
    boolean unacked() {
        return received > acked;
    }

    /** The C_Ack frame for what arrived so far; from now on that is acknowledged. */
    byte[] ackFrame() {
        acked = received;
        return SessionLayer.ack(SessionLayer.C_ACK, received);
    }

    /** A numbered client frame is sent: it is kept until the server acknowledges it. Returns its number. */
    long sending(byte[] frame) {
        kept.addLast(frame);
        return ++sent;
    }

    long sent() {
        return sent;
    }

    int keptCount() {
        return kept.size();
    }

    /** The first frame still kept is number {@code firstKept()} (sent + 1 when none is). */
    long firstKept() {
        return sent - kept.size() + 1;
    }

    /**
     * {@code S_Ack}: the server has {@code count} of our frames; those are forgotten.
     *
     * @throws IllegalArgumentException for a count above what was sent
     */
    void acked(long count) {
        if (count > sent || count < 0) {
            throw new IllegalArgumentException("S_Ack of " + count + " frames, " + sent + " sent");
        }
        while (!kept.isEmpty() && firstKept() <= count) {
            kept.removeFirst();
        }
    }

    /**
     * {@code S_Resumed}: the server had {@code serverReceived} of our frames; returns the kept frames after that
     * count, in order, to send again on the new connection (they stay kept until acknowledged).
     *
     * @throws IllegalArgumentException if the count is above what was sent, or below what was forgotten (a gap)
     */
    List<byte[]> resendAfter(long serverReceived) {
        if (serverReceived < firstKept() - 1) {
            throw new IllegalArgumentException("the server has " + serverReceived + " frames, frames up to "
                    + (firstKept() - 1) + " were forgotten");
        }
        acked(serverReceived);
        return new ArrayList<>(kept);
    }

    /** {@code C_Resume}: the token, then the count of numbered frames received. */
    byte[] resumeFrame(byte[] token) {
        return SessionLayer.resume(token, received);
    }
}
