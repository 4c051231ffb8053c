package dev.servercore.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import dev.servercore.testsupport.RandomTrials;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Random frame sequences, cut at random points, reassemble into exactly the frames that were encoded. */
class FrameDecoderPropertiesTest {

    record Packet(int packetId, byte[] body) {
    }

    @Test
    void anySplitReassemblesTheSameFrames() throws Exception {
        RandomTrials.run(500, random -> {
            List<Packet> sent = randomPackets(random);
            byte[] stream = encode(sent);
            List<ByteBuffer> reads = split(stream, random.nextInt(stream.length / 4 + 2), random);

            FrameDecoder decoder = new FrameDecoder(Frames.MAX_FRAME_SIZE);
            List<Packet> received = new ArrayList<>();
            int delivered = 0;
            for (ByteBuffer read : reads) {
                delivered += decoder.decode(read, (id, body) -> received.add(new Packet(id, copy(body))));
                assertThat(read.hasRemaining()).as("a read is always consumed").isFalse();
            }

            assertThat(delivered).isEqualTo(sent.size());
            assertThat(decoder.pendingBytes()).isZero();
            assertThat(received).hasSameSizeAs(sent);
            for (int i = 0; i < sent.size(); i++) {
                assertThat(received.get(i).packetId()).isEqualTo(sent.get(i).packetId());
                assertThat(received.get(i).body()).isEqualTo(sent.get(i).body());
            }
        });
    }

    @Test
    void oneByteAtATimeAndAllAtOnceGiveTheSameFrames() {
        List<Packet> sent = randomPackets(new Random(7));
        byte[] stream = encode(sent);

        List<Packet> byteByByte = new ArrayList<>();
        FrameDecoder slow = new FrameDecoder(Frames.MAX_FRAME_SIZE);
        for (int i = 0; i < stream.length; i++) {
            slow.decode(ByteBuffer.wrap(stream, i, 1), (id, body) -> byteByByte.add(new Packet(id, copy(body))));
        }
        List<Packet> atOnce = new ArrayList<>();
        new FrameDecoder(Frames.MAX_FRAME_SIZE).decode(ByteBuffer.wrap(stream),
                (id, body) -> atOnce.add(new Packet(id, copy(body))));

        assertThat(byteByByte).usingRecursiveFieldByFieldElementComparator().isEqualTo(atOnce);
        assertThat(atOnce).usingRecursiveFieldByFieldElementComparator().isEqualTo(sent);
    }

    @Test
    void everySizeOutsideTheLimitsIsAProtocolErrorWhereverTheHeaderIsCut() {
        int maxFrameSize = 4096;
        for (int size = 0; size <= 0xFFFF; size++) {
            for (int cut = 0; cut <= 2; cut++) {
                byte[] header = {(byte) size, (byte) (size >>> 8), 2, 0};
                FrameDecoder decoder = new FrameDecoder(maxFrameSize);
                int at = cut;
                Runnable decode = () -> {
                    decoder.decode(ByteBuffer.wrap(header, 0, at), (id, body) -> { });
                    decoder.decode(ByteBuffer.wrap(header, at, header.length - at), (id, body) -> { });
                };
                if (size >= Frames.HEADER_SIZE && size <= maxFrameSize) {
                    decode.run();
                } else {
                    assertThatThrownBy(decode::run).as("size %d cut at %d", size, cut)
                            .isInstanceOf(ProtocolException.class);
                }
            }
        }
    }

    private static List<Packet> randomPackets(Random random) {
        List<Packet> packets = new ArrayList<>();
        int count = 1 + random.nextInt(60);
        for (int i = 0; i < count; i++) {
            // mostly small bodies, now and then an empty one or one near the largest frame
            int roll = random.nextInt(20);
            int length = roll == 0 ? 0 : roll == 1 ? Frames.MAX_FRAME_SIZE - Frames.HEADER_SIZE - random.nextInt(3)
                    : random.nextInt(300);
            byte[] body = new byte[length];
            random.nextBytes(body);
            packets.add(new Packet(random.nextInt(0x10000), body));
        }
        return packets;
    }

    private static byte[] encode(List<Packet> packets) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (Packet packet : packets) {
            stream.writeBytes(Frames.encode(packet.packetId(), packet.body()));
        }
        return stream.toByteArray();
    }

    /** Cuts the stream at random places: reads of any size, empty ones included. */
    private static List<ByteBuffer> split(byte[] stream, int cuts, Random random) {
        TreeSet<Integer> points = new TreeSet<>();
        for (int i = 0; i < cuts; i++) {
            points.add(random.nextInt(stream.length + 1));
        }
        points.add(stream.length);
        List<ByteBuffer> reads = new ArrayList<>();
        int start = 0;
        for (int point : points) {
            reads.add(ByteBuffer.wrap(stream, start, point - start).slice());
            start = point;
        }
        return reads;
    }

    private static byte[] copy(ByteBuffer body) {
        byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        return bytes;
    }
}
