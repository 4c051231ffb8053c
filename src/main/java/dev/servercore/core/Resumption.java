package dev.servercore.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The numbering and replay of one resumable session (PROTOCOL.md v3, Resume). Frames are counted, not copied:
 * every array game code sends is kept by reference, with the number of its first frame, until the client
 * acknowledges its last one, so a broadcast array shared by a thousand members is still one array. Touched by the
 * session's event loop only.
 */
final class Resumption {

    /** An array of whole frames as sent, and the number of its first frame. */
    record Entry(byte[] array, long first, int frames) {
        long last() {
            return first + frames - 1;
        }
    }

    private final byte[] token;
    /** The number of the last frame queued for the client. */
    private long sent;
    /** Frames the client acknowledged: numbers up to it are forgotten. */
    private long acked;
    /** The client's numbered frames the session received. */
    private long received;
    /** {@link #received} as of the last {@code S_Ack}, and when that went out (loop nanos). */
    private long receivedTold;
    private long toldAt;
    /** Queued, not yet written to the socket (or all of them while detached), in order. */
    private final ArrayDeque<Entry> unwritten = new ArrayDeque<>();
    private long unwrittenBytes;
    /** Written, not yet acknowledged, in order; all of them precede {@link #unwritten}. */
    private final ArrayDeque<Entry> unacked = new ArrayDeque<>();
    private long unackedBytes;
    /** Set while a resume on another connection is taking the session over. */
    SessionConnection claimant;
    /** When the session was detached (loop nanos), or 0 while it has a connection. */
    long detachedAt;

    Resumption(byte[] token, long now) {
        this.token = token;
        this.toldAt = now;
    }

    byte[] token() {
        return token;
    }

    long sent() {
        return sent;
    }

    long acked() {
        return acked;
    }

    long received() {
        return received;
    }

    /** An array of game frames is queued: its frames get the next numbers. */
    void queued(byte[] array) {
        int frames = Frames.count(array);
        unwritten.addLast(new Entry(array, sent + 1, frames));
        unwrittenBytes += array.length;
        sent += frames;
    }

    /** The connection wrote all of {@code array} (the head of its queue): if it is numbered, it waits for an ack. */
    void written(byte[] array) {
        Entry head = unwritten.peekFirst();
        if (head != null && head.array() == array) {
            unwritten.pollFirst();
            unwrittenBytes -= array.length;
            if (head.last() > acked) { // else the client acknowledged all of it while it was being written
                unacked.addLast(head);
                unackedBytes += array.length;
            }
        }
    }

    /** Bytes written and not acknowledged: held on top of the connection's queue. */
    long unackedBytes() {
        return unackedBytes;
    }

    /** Every byte held for the client: what a detached session keeps. */
    long heldBytes() {
        return unackedBytes + unwrittenBytes;
    }

    /**
     * {@code C_Ack}: the client has the frames up to {@code count}; those written whole are forgotten (an array the
     * socket took in part, {@code partlyWritten} with its first {@code headFramesWritten} frames written, stays until
     * it is written, and is not kept then if the client has all of it).
     *
     * @return false if it claims frames that were never written to it
     */
    boolean acknowledged(long count, byte[] partlyWritten, int headFramesWritten) {
        // numbers are contiguous: what precedes the first unwritten array is written, and so are the whole frames of
        // that array the socket took already (an array is written in pieces when the socket is full)
        Entry head = unwritten.peekFirst();
        long written = head == null ? sent
                : head.first() - 1 + (head.array() == partlyWritten ? headFramesWritten : 0);
        if (count < 0 || count > written) {
            return false;
        }
        if (count > acked) {
            acked = count;
            while (!unacked.isEmpty() && unacked.peekFirst().last() <= count) {
                unackedBytes -= unacked.pollFirst().array().length;
            }
        }
        return true;
    }

    /** Whether a resume whose client has {@code count} frames can go on from here. */
    boolean canResumeFrom(long count) {
        return count >= acked && count <= sent;
    }

    /**
     * The resume: the client has {@code count} frames. What follows them becomes the queue of the new connection,
     * in order (the first array cut at the first frame the client lacks); the returned arrays are to be queued there,
     * already numbered.
     */
    List<byte[]> replayAfter(long count) {
        List<Entry> all = new ArrayList<>(unacked.size() + unwritten.size());
        all.addAll(unacked);
        all.addAll(unwritten);
        unacked.clear();
        unwritten.clear();
        unackedBytes = 0;
        unwrittenBytes = 0;
        acked = count;
        List<byte[]> arrays = new ArrayList<>(all.size());
        for (Entry entry : all) {
            if (entry.last() <= count) {
                continue;
            }
            Entry kept = entry.first() > count ? entry : tail(entry, (int) (count - entry.first() + 1));
            unwritten.addLast(kept);
            unwrittenBytes += kept.array().length;
            arrays.add(kept.array());
        }
        return arrays;
    }

    /** The frames of {@code entry} after its first {@code skip}, in an array of their own (a rare copy). */
    private static Entry tail(Entry entry, int skip) {
        byte[] array = entry.array();
        int at = 0;
        for (int i = 0; i < skip; i++) {
            at += Frames.getUInt16(array, at);
        }
        return new Entry(Arrays.copyOfRange(array, at, array.length), entry.first() + skip, entry.frames() - skip);
    }

    /** A client frame reached the session. */
    void receivedOne() {
        received++;
    }

    /**
     * Whether an {@code S_Ack} is due: after every {@code every} client frames, or {@code intervalNanos} after the
     * last one while frames came; if so it is taken as sent.
     */
    boolean ackDue(long now, int every, long intervalNanos) {
        long untold = received - receivedTold;
        if (untold == 0 || (untold < every && now - toldAt < intervalNanos)) {
            return false;
        }
        receivedTold = received;
        toldAt = now;
        return true;
    }
}
