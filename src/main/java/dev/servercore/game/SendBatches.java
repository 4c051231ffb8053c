package dev.servercore.game;

import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.Frames;

/**
 * What a room writes to its members in one go (a tick's broadcasts, other nodes' batches), cut into sends of
 * whole frames of at most a bound each, instead of one array of everything: a send never splits a frame, and
 * a member's queue gets several bounded arrays rather than one that could pass its limit alone. A frame
 * larger than the bound is a send of its own. Parts that are not whole frames (raw-mode bytes) are never cut.
 */
final class SendBatches {

    private SendBatches() {
    }

    /**
     * @param parts arrays of whole frames, in order
     * @param bytes their total length
     * @param bound the most bytes of one send
     */
    static List<byte[]> of(List<byte[]> parts, long bytes, int bound) {
        if (parts.size() == 1 && parts.get(0).length <= bound) {
            return List.of(parts.get(0));
        }
        if (bytes <= bound) {
            return List.of(concat(parts, (int) bytes));
        }
        Batcher batcher = new Batcher(bound);
        for (byte[] part : parts) {
            if (part.length <= bound || !isWholeFrames(part)) {
                batcher.add(part, 0, part.length);
                continue;
            }
            for (int at = 0; at < part.length; ) {
                int size = Frames.getUInt16(part, at);
                batcher.add(part, at, size);
                at += size;
            }
        }
        return batcher.finish();
    }

    /** One array of all the parts, in order. */
    static byte[] concat(List<byte[]> parts, int bytes) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        byte[] all = new byte[bytes];
        int position = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, position, part.length);
            position += part.length;
        }
        return all;
    }

    private static boolean isWholeFrames(byte[] part) {
        int at = 0;
        while (at + 1 < part.length) {
            int size = Frames.getUInt16(part, at);
            if (size < Frames.HEADER_SIZE) {
                return false;
            }
            at += size;
        }
        return at == part.length;
    }

    /** Gathers byte ranges into sends of at most {@code bound} bytes (a larger range alone). */
    private static final class Batcher {
        private final int bound;
        private final List<byte[]> sends = new ArrayList<>();
        private final List<byte[]> arrays = new ArrayList<>();
        private final List<int[]> ranges = new ArrayList<>();
        private int pending;

        Batcher(int bound) {
            this.bound = bound;
        }

        void add(byte[] array, int from, int length) {
            if (pending > 0 && pending + length > bound) {
                emit();
            }
            arrays.add(array);
            ranges.add(new int[] {from, length});
            pending += length;
        }

        private void emit() {
            if (arrays.size() == 1 && ranges.get(0)[0] == 0 && ranges.get(0)[1] == arrays.get(0).length) {
                sends.add(arrays.get(0)); // a whole array as it came: no copy
            } else {
                byte[] send = new byte[pending];
                int position = 0;
                for (int i = 0; i < arrays.size(); i++) {
                    int[] range = ranges.get(i);
                    System.arraycopy(arrays.get(i), range[0], send, position, range[1]);
                    position += range[1];
                }
                sends.add(send);
            }
            arrays.clear();
            ranges.clear();
            pending = 0;
        }

        List<byte[]> finish() {
            if (pending > 0) {
                emit();
            }
            return sends;
        }
    }
}
