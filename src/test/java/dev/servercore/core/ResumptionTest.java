package dev.servercore.core;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bookkeeping of numbered frames: counted by reference, released by acks, replayed from any frame. */
class ResumptionTest {

    private static byte[] frame(int n) {
        return Frames.encode(7, ByteBuffer.allocate(4).putInt(0, n));
    }

    private static byte[] batch(int from, int frames) {
        byte[] batch = new byte[frames * 8];
        for (int i = 0; i < frames; i++) {
            System.arraycopy(frame(from + i), 0, batch, i * 8, 8);
        }
        return batch;
    }

    private static int[] numbersIn(List<byte[]> arrays) {
        return arrays.stream().flatMapToInt(array -> {
            int[] numbers = new int[array.length / 8];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = ByteBuffer.wrap(array, i * 8 + 4, 4).getInt();
            }
            return java.util.Arrays.stream(numbers);
        }).toArray();
    }

    @Test
    void framesAreNumberedByPositionAndABatchCountsEachOfItsFrames() {
        Resumption r = new Resumption(new byte[16], 0);
        r.queued(frame(1));
        r.queued(batch(2, 4));
        r.queued(frame(6));
        assertThat(r.sent()).isEqualTo(6);
        assertThat(r.heldBytes()).isEqualTo(8 + 32 + 8);
    }

    @Test
    void anAckReleasesWholeArraysWrittenAndNeverOneStillUnwritten() {
        Resumption r = new Resumption(new byte[16], 0);
        byte[] first = frame(1);
        byte[] second = batch(2, 4);
        r.queued(first);
        r.queued(second);
        r.written(first);
        assertThat(r.unackedBytes()).isEqualTo(8);
        // the socket took two frames of the batch: the client may acknowledge them
        assertThat(r.acknowledged(3, second, 2)).isTrue();
        assertThat(r.unackedBytes()).isZero();
        assertThat(r.heldBytes()).isEqualTo(32); // the batch stays until it is written whole
        assertThat(r.acknowledged(4, second, 2)).as("a frame not written yet").isFalse();
        r.written(second);
        assertThat(r.acknowledged(4, null, 0)).isTrue();
        assertThat(r.heldBytes()).isEqualTo(32);
        assertThat(r.acknowledged(5, null, 0)).isTrue();
        assertThat(r.heldBytes()).isZero();
        assertThat(r.acknowledged(6, null, 0)).as("more than was ever sent").isFalse();
        assertThat(r.acknowledged(2, null, 0)).as("an older ack changes nothing").isTrue();
        assertThat(r.acked()).isEqualTo(5);
    }

    @Test
    void aReplayStartsAtTheFirstFrameTheClientLacksEvenInsideABatch() {
        Resumption r = new Resumption(new byte[16], 0);
        byte[] first = frame(1);
        byte[] second = batch(2, 4);
        r.queued(first);
        r.queued(second);
        r.queued(frame(6));
        r.written(first);
        assertThat(r.canResumeFrom(7)).isFalse();
        assertThat(r.canResumeFrom(3)).isTrue();
        List<byte[]> replay = r.replayAfter(3);
        assertThat(numbersIn(replay)).containsExactly(4, 5, 6);
        assertThat(r.acked()).isEqualTo(3);
        assertThat(r.canResumeFrom(2)).as("the client said it had 3").isFalse();
        // the replayed arrays are the queue now: written, then released as before
        replay.forEach(r::written);
        assertThat(r.acknowledged(6, null, 0)).isTrue();
        assertThat(r.heldBytes()).isZero();
    }
}
