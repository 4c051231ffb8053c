package dev.servercore.dummyclient;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Percentiles of non-negative values (round trips in microseconds, say) from many threads, in fixed memory:
 * values below 256 are counted exactly; above, each power of two is cut into 128 equal buckets, so a percentile
 * is reported within 1/256 (0.4 %) of a value that was recorded. The maximum is exact. A {@link #snapshot()}
 * takes the figures since the last one and starts a new interval.
 */
public final class PercentileRecorder {

    /** Values below this have a bucket each. */
    private static final int EXACT = 256;
    /** Bits of a value kept after its leading one: 2^7 buckets per power of two. */
    private static final int SUB_BITS = 7;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    /** The lowest power of two that is bucketed: 2^8 = EXACT. */
    private static final int FIRST_EXPONENT = 8;
    private static final int BUCKETS = EXACT + (63 - FIRST_EXPONENT) * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong max = new AtomicLong(-1);

    /** Counts one value; a negative one counts as 0. */
    public void record(long value) {
        long v = Math.max(0, value);
        counts.incrementAndGet(bucketOf(v));
        max.accumulateAndGet(v, Math::max);
    }

    /** Forgets what was recorded. */
    public void reset() {
        snapshot();
    }

    /**
     * The values recorded since the last snapshot (or reset), and a new interval from now. A value recorded while
     * the snapshot is taken goes to one interval or the next, never both.
     */
    public Snapshot snapshot() {
        long[] taken = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            taken[i] = counts.getAndSet(i, 0);
            total += taken[i];
        }
        return new Snapshot(taken, total, max.getAndSet(-1));
    }

    static int bucketOf(long value) {
        if (value < EXACT) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return EXACT + (exponent - FIRST_EXPONENT) * SUB_BUCKETS + sub;
    }

    /** The middle of a bucket's values (the value itself below 256). */
    static long valueOf(int bucket) {
        if (bucket < EXACT) {
            return bucket;
        }
        int exponent = (bucket - EXACT) / SUB_BUCKETS + FIRST_EXPONENT;
        long sub = (bucket - EXACT) % SUB_BUCKETS;
        long width = 1L << (exponent - SUB_BITS);
        long low = (SUB_BUCKETS + sub) << (exponent - SUB_BITS);
        return low + (width - 1) / 2;
    }

    /** The figures of one interval. */
    public static final class Snapshot {

        private final long[] counts;
        private final long count;
        private final long max;

        private Snapshot(long[] counts, long count, long max) {
            this.counts = counts;
            this.count = count;
            this.max = max;
        }

        /** Values recorded. */
        public long count() {
            return count;
        }

        /** The largest value recorded, exactly; 0 when none was. */
        public long max() {
            return Math.max(0, max);
        }

        /**
         * The value that {@code percentile} % of the values are at or below (0 < percentile <= 100), within 0.4 %
         * of a recorded value; 0 when none was recorded.
         */
        public long valueAt(double percentile) {
            if (!(percentile > 0 && percentile <= 100)) {
                throw new IllegalArgumentException("percentile " + percentile + " outside (0, 100]");
            }
            if (count == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(percentile / 100 * count));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return Math.min(valueOf(i), max());
                }
            }
            return max();
        }
    }
}
