package dev.servercore.dummyclient;

import java.util.Arrays;

/**
 * What one receiver saw of each mover's positions, by the sequence number a move carries as its x: moves
 * coalesce, so numbers may be skipped, but never seen twice (a duplicate) or going backwards (out of order).
 * Movers are slots (their index in their room). Thread-safe (one receiver's reads, and the driver's summary).
 */
final class MoveSequences {

    enum Outcome {
        NEWER, OUT_OF_ORDER, DUPLICATE
    }

    /** Per slot: the highest number seen, or -1. */
    private int[] last = filled(new int[8], 0);

    synchronized Outcome seen(int slot, int seq) {
        if (slot >= last.length) {
            int old = last.length;
            last = filled(Arrays.copyOf(last, Math.max(slot + 1, old * 2)), old);
        }
        if (seq > last[slot]) {
            last[slot] = seq;
            return Outcome.NEWER;
        }
        return seq == last[slot] ? Outcome.DUPLICATE : Outcome.OUT_OF_ORDER;
    }

    /** The highest number seen of that mover, or -1. */
    synchronized int last(int slot) {
        return slot < last.length ? last[slot] : -1;
    }

    private static int[] filled(int[] slots, int from) {
        Arrays.fill(slots, from, slots.length, -1);
        return slots;
    }
}
