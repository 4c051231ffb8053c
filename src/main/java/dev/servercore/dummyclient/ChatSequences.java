package dev.servercore.dummyclient;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What one receiver got of each sender's chats, by the sequence number each chat carries: every number must
 * arrive once, in order. A number past the next expected one leaves a gap (counted lost until it arrives; then it
 * is out of order); a number that arrived already is a duplicate. Senders are slots (their index in their room).
 * Thread-safe (one receiver's reads, and the driver's summary).
 */
final class ChatSequences {

    enum Outcome {
        IN_ORDER, OUT_OF_ORDER, DUPLICATE
    }

    /** Per slot: the next number expected. */
    private long[] next = new long[8];
    /** Per slot: numbers skipped and not (yet) arrived. */
    private int[] gaps = new int[8];
    /** slot << 32 | number of each skipped chat. */
    private final Set<Long> missing = new HashSet<>();

    synchronized Outcome received(int slot, long seq) {
        grow(slot);
        if (seq == next[slot]) {
            next[slot]++;
            return Outcome.IN_ORDER;
        }
        if (seq > next[slot]) {
            for (long s = next[slot]; s < seq; s++) {
                missing.add(key(slot, s));
            }
            gaps[slot] += (int) (seq - next[slot]);
            next[slot] = seq + 1;
            return Outcome.IN_ORDER;
        }
        if (missing.remove(key(slot, seq))) {
            gaps[slot]--;
            return Outcome.OUT_OF_ORDER;
        }
        return Outcome.DUPLICATE;
    }

    /**
     * Chats of the sender in {@code slot} not received, of the {@code sent} it sent; {@code sent} below zero: the
     * sender is gone and what it sent last is unknown, so only the gaps count.
     */
    synchronized long lost(int slot, long sent) {
        if (slot >= next.length) {
            return Math.max(0, sent);
        }
        return gaps[slot] + (sent < 0 ? 0 : Math.max(0, sent - next[slot]));
    }

    /** For a log line: the numbers of that sender's chats not received, at most {@code limit} of them. */
    synchronized String describeLost(int slot, long sent, int limit) {
        StringBuilder seqs = new StringBuilder();
        int shown = 0;
        for (Long key : new java.util.TreeSet<>(missing)) {
            if ((int) (key >>> 32) == slot && shown++ < limit) {
                seqs.append(seqs.isEmpty() ? "" : ",").append(key & 0xFFFFFFFFL);
            }
        }
        long next = slot < this.next.length ? this.next[slot] : 0;
        if (sent > next) {
            seqs.append(seqs.isEmpty() ? "" : ",").append(next).append(sent - 1 > next ? ".." + (sent - 1) : "");
        }
        return seqs.toString();
    }

    private void grow(int slot) {
        if (slot >= next.length) {
            int size = Math.max(slot + 1, next.length * 2);
            next = Arrays.copyOf(next, size);
            gaps = Arrays.copyOf(gaps, size);
        }
    }

    private static long key(int slot, long seq) {
        return (long) slot << 32 | (seq & 0xFFFFFFFFL);
    }
}
