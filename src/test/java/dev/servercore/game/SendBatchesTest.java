package dev.servercore.game;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.Frames;
import dev.servercore.testsupport.RandomTrials;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tick's frames go out in sends of whole frames within the bound (the review found one array of everything:
 * 1 MB of chat in a tick was one send over the send-queue limit, which closed each member it reached).
 */
class SendBatchesTest {

    private static List<Integer> frameSizes(byte[] send) {
        List<Integer> sizes = new ArrayList<>();
        for (int at = 0; at < send.length; ) {
            int size = Frames.getUInt16(send, at);
            assertThat(size).isGreaterThanOrEqualTo(Frames.HEADER_SIZE);
            sizes.add(size);
            at += size;
            assertThat(at).as("a frame cut by a send").isLessThanOrEqualTo(send.length);
        }
        return sizes;
    }

    @Test
    void everySendIsWholeFramesWithinTheBoundAndTogetherTheyAreTheInputInOrder() throws Exception {
        RandomTrials.run(500, random -> {
            int bound = 16 + random.nextInt(20_000);
            List<byte[]> parts = new ArrayList<>();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int p = random.nextInt(30); p > 0; p--) {
                ByteArrayOutputStream part = new ByteArrayOutputStream();
                for (int f = 1 + random.nextInt(random.nextBoolean() ? 3 : 40); f > 0; f--) {
                    byte[] body = new byte[random.nextInt(random.nextInt(10) == 0 ? 4092 : 200)];
                    random.nextBytes(body);
                    part.writeBytes(Frames.encode(1 + random.nextInt(100), body));
                }
                parts.add(part.toByteArray());
                all.writeBytes(part.toByteArray());
            }
            List<byte[]> sends = SendBatches.of(parts, all.size(), bound);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (byte[] send : sends) {
                List<Integer> sizes = frameSizes(send);
                assertThat(send.length <= bound || sizes.size() == 1)
                        .as("a send of %d bytes over the bound %d holds one frame", send.length, bound).isTrue();
                joined.writeBytes(send);
            }
            assertThat(joined.toByteArray()).isEqualTo(all.toByteArray());
        });
    }

    @Test
    void whatFitsIsOneSendAndOnePartWithinTheBoundIsSentAsItIs() {
        byte[] frame = Frames.encode(1, new byte[100]);
        assertThat(SendBatches.of(List.of(frame), frame.length, 65536).get(0)).isSameAs(frame);
        List<byte[]> two = SendBatches.of(List.of(frame, frame), 2L * frame.length, 65536);
        assertThat(two).hasSize(1);
        assertThat(two.get(0)).hasSize(2 * frame.length);
        List<byte[]> split = SendBatches.of(List.of(frame, frame, frame), 3L * frame.length, 2 * frame.length);
        assertThat(split).extracting(send -> send.length).containsExactly(2 * frame.length, frame.length);
    }

    @Test
    void bytesThatAreNotWholeFramesAreNeverCut() {
        byte[] raw = new byte[300]; // raw-mode bytes: sizes of 0
        List<byte[]> sends = SendBatches.of(List.of(raw), raw.length, 100);
        assertThat(sends).hasSize(1);
        assertThat(sends.get(0)).isSameAs(raw);
    }
}
