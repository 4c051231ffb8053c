package dev.servercore.dummyclient;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PercentileRecorderTest {

    /** The exact percentile as HdrHistogram defines it: the value at rank ceil(p/100 * n). */
    private static long exact(long[] sorted, double percentile) {
        int rank = (int) Math.max(1, Math.ceil(percentile / 100 * sorted.length));
        return sorted[rank - 1];
    }

    @Test
    void percentilesOfSkewedValuesAreWithinAPercentOfTheExactOnes() {
        SplittableRandom random = new SplittableRandom(7);
        PercentileRecorder recorder = new PercentileRecorder();
        long[] values = new long[200_000];
        for (int i = 0; i < values.length; i++) {
            // log-uniform from 1 µs to ~100 s: every bucket range is exercised
            values[i] = (long) Math.exp(random.nextDouble() * Math.log(100_000_000));
            recorder.record(values[i]);
        }
        Arrays.sort(values);
        PercentileRecorder.Snapshot snapshot = recorder.snapshot();
        assertThat(snapshot.count()).isEqualTo(values.length);
        assertThat(snapshot.max()).isEqualTo(values[values.length - 1]);
        for (double p : new double[] {0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100}) {
            long expected = exact(values, p);
            assertThat((double) snapshot.valueAt(p)).as("p%s", p).isCloseTo(expected, within(expected * 0.01 + 0.5));
        }
    }

    @Test
    void everyValueComesBackWithinItsBucketsBound() {
        for (long value : new long[] {0, 1, 255, 256, 257, 511, 512, 1_000, 65_535, 1L << 40, (1L << 40) + 12_345,
                Long.MAX_VALUE}) {
            PercentileRecorder recorder = new PercentileRecorder();
            recorder.record(value);
            recorder.record(value);
            long reported = recorder.snapshot().valueAt(50);
            assertThat((double) reported).as("%s", value).isCloseTo(value, within(value / 256.0 + 0.5));
        }
    }

    @Test
    void smallValuesAreExact() {
        PercentileRecorder recorder = new PercentileRecorder();
        for (int v = 1; v <= 100; v++) {
            recorder.record(v);
        }
        PercentileRecorder.Snapshot snapshot = recorder.snapshot();
        assertThat(snapshot.valueAt(50)).isEqualTo(50);
        assertThat(snapshot.valueAt(90)).isEqualTo(90);
        assertThat(snapshot.valueAt(99)).isEqualTo(99);
        assertThat(snapshot.max()).isEqualTo(100);
    }

    @Test
    void aSnapshotStartsANewIntervalAndAnEmptyOneReportsZero() {
        PercentileRecorder recorder = new PercentileRecorder();
        recorder.record(5_000);
        assertThat(recorder.snapshot().valueAt(99)).isCloseTo(5_000, org.assertj.core.api.Assertions.within(20L));
        PercentileRecorder.Snapshot empty = recorder.snapshot();
        assertThat(empty.count()).isZero();
        assertThat(empty.valueAt(99)).isZero();
        assertThat(empty.max()).isZero();
        recorder.record(3);
        recorder.reset();
        assertThat(recorder.snapshot().count()).isZero();
        assertThatThrownBy(() -> empty.valueAt(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesFromManyThreadsAreAllCounted() throws Exception {
        PercentileRecorder recorder = new PercentileRecorder();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] done = new Future<?>[4];
            for (int t = 0; t < 4; t++) {
                done[t] = threads.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        recorder.record(i);
                    }
                });
            }
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        PercentileRecorder.Snapshot snapshot = recorder.snapshot();
        assertThat(snapshot.count()).isEqualTo(200_000);
        assertThat(snapshot.max()).isEqualTo(49_999);
    }
}
