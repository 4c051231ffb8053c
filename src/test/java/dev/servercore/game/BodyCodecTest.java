package dev.servercore.game;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BodyWriter} and {@link BodyReader}: every field both ways, little-endian, strict, bounds-checked. */
class BodyCodecTest {

    private static BodyReader reader(BodyWriter out) {
        return BodyReader.of(out.toBody());
    }

    private static String hex(BodyWriter out) {
        return HexFormat.of().formatHex(out.toBody());
    }

    @Test
    void integersRoundTripAtTheirLimitsInLittleEndian() {
        BodyWriter out = new BodyWriter(0)
                .u8(0).u8(255).i8(-128).i8(127)
                .u16(0).u16(0xFFFF).i16(Short.MIN_VALUE).i16(Short.MAX_VALUE)
                .i32(Integer.MIN_VALUE).i32(Integer.MAX_VALUE).u32(0).u32(0xFFFF_FFFFL)
                .i64(Long.MIN_VALUE).i64(Long.MAX_VALUE);
        BodyReader in = reader(out);
        assertThat(in.u8()).isZero();
        assertThat(in.u8()).isEqualTo(255);
        assertThat(in.i8()).isEqualTo((byte) -128);
        assertThat(in.i8()).isEqualTo((byte) 127);
        assertThat(in.u16()).isZero();
        assertThat(in.u16()).isEqualTo(0xFFFF);
        assertThat(in.i16()).isEqualTo(Short.MIN_VALUE);
        assertThat(in.i16()).isEqualTo(Short.MAX_VALUE);
        assertThat(in.i32()).isEqualTo(Integer.MIN_VALUE);
        assertThat(in.i32()).isEqualTo(Integer.MAX_VALUE);
        assertThat(in.u32()).isZero();
        assertThat(in.u32()).isEqualTo(0xFFFF_FFFFL);
        assertThat(in.i64()).isEqualTo(Long.MIN_VALUE);
        assertThat(in.i64()).isEqualTo(Long.MAX_VALUE);
        assertThat(in.hasRemaining()).isFalse();

        assertThat(hex(new BodyWriter().u16(0x1234).i32(0x0A0B0C0D).i64(0x0102030405060708L)))
                .isEqualTo("3412" + "0d0c0b0a" + "0807060504030201");
    }

    @Test
    void floatsRoundTripBitForBit() {
        float[] floats = {0f, -0f, 1.5f, -3.25e-7f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        double[] doubles = {0d, -0d, Math.PI, -1e300, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
                Double.NEGATIVE_INFINITY};
        BodyWriter out = new BodyWriter();
        for (float f : floats) {
            out.f32(f);
        }
        for (double d : doubles) {
            out.f64(d);
        }
        BodyReader in = reader(out);
        for (float f : floats) {
            assertThat(Float.floatToRawIntBits(in.f32())).isEqualTo(Float.floatToRawIntBits(f));
        }
        for (double d : doubles) {
            assertThat(Double.doubleToRawLongBits(in.f64())).isEqualTo(Double.doubleToRawLongBits(d));
        }
        assertThat(in.hasRemaining()).isFalse();
        assertThat(hex(new BodyWriter().f32(1.0f))).isEqualTo("0000803f");
        assertThat(hex(new BodyWriter().f64(1.0))).isEqualTo("000000000000f03f");
    }

    @Test
    void booleansBytesAndStringsRoundTrip() {
        byte[] blob = {1, 2, 3, (byte) 0xFF};
        String text = "héllo, 世界 \uD83C\uDFAE";
        BodyWriter out = new BodyWriter(1).bool(true).bool(false).bytes(blob).bytes(new byte[0]).string(text)
                .string("").stringToEnd(text);
        BodyReader in = reader(out);
        assertThat(in.bool()).isTrue();
        assertThat(in.bool()).isFalse();
        assertThat(in.bytes()).containsExactly(blob);
        assertThat(in.bytes()).isEmpty();
        assertThat(in.string()).isEqualTo(text);
        assertThat(in.string()).isEmpty();
        assertThat(in.stringToEnd()).isEqualTo(text);
        assertThat(in.hasRemaining()).isFalse();

        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        BodyReader lengths = reader(new BodyWriter().string(text));
        assertThat(lengths.u16()).as("a string's u16 length counts bytes").isEqualTo(utf8.length);
        assertThat(lengths.bytesToEnd()).containsExactly(utf8);
    }

    @Test
    void malformedUtf8IsAProtocolError() {
        byte[][] malformed = {
                {(byte) 0xC3, 0x28}, // a lead without its continuation
                {(byte) 0xC0, (byte) 0x80}, // an overlong NUL
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
                {(byte) 0xE2, (byte) 0x82}, // cut short
                {(byte) 0xFF}};
        for (byte[] bad : malformed) {
            assertThatThrownBy(() -> BodyReader.of(bad).stringToEnd()).as(HexFormat.of().formatHex(bad))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("not UTF-8");
            byte[] prefixed = new BodyWriter().bytes(bad).toBody();
            assertThatThrownBy(() -> BodyReader.of(prefixed).string()).as(HexFormat.of().formatHex(bad))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("not UTF-8");
        }
    }

    @Test
    void aStringWithALoneSurrogateIsNeverWritten() {
        for (String bad : new String[] {"a\uD800", "\uDC00b", "\uD800\uD800"}) {
            assertThatThrownBy(() -> new BodyWriter().stringToEnd(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("surrogate");
            assertThatThrownBy(() -> new BodyWriter().string(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readingPastTheEndIsAProtocolErrorAndNothingElse() {
        byte[] three = {1, 2, 3};
        Runnable[] reads = {
                () -> BodyReader.of(new byte[0]).u8(), () -> BodyReader.of(new byte[0]).i8(),
                () -> BodyReader.of(new byte[1]).u16(), () -> BodyReader.of(new byte[1]).i16(),
                () -> BodyReader.of(three).i32(), () -> BodyReader.of(three).u32(),
                () -> BodyReader.of(new byte[7]).i64(), () -> BodyReader.of(three).f32(),
                () -> BodyReader.of(new byte[7]).f64(), () -> BodyReader.of(new byte[0]).bool(),
                () -> BodyReader.of(new byte[] {5, 0, 1, 2}).bytes(), // 5 bytes announced, 2 there
                () -> BodyReader.of(new byte[] {(byte) 0xFF, (byte) 0xFF, 'a'}).string(),
                () -> BodyReader.of(new byte[1]).string(), () -> BodyReader.of(three).slice(4)};
        for (Runnable read : reads) {
            assertThatThrownBy(read::run).isInstanceOf(ProtocolException.class).hasMessageContaining("too short");
        }
        assertThatThrownBy(() -> BodyReader.of(new byte[] {2}).bool()).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("boolean");
    }

    @Test
    void aReaderReadsFromTheBuffersPositionToItsLimitAndLeavesTheBufferAlone() {
        byte[] frame = {9, 9, 0x34, 0x12, 7, 9};
        ByteBuffer body = ByteBuffer.wrap(frame, 2, 3);
        BodyReader in = new BodyReader(body);
        assertThat(in.u16()).isEqualTo(0x1234);
        assertThat(in.position()).isEqualTo(2);
        assertThat(in.remaining()).isEqualTo(1);
        assertThat(in.u8()).isEqualTo(7);
        assertThatThrownBy(in::u8).isInstanceOf(ProtocolException.class);
        assertThat(body.position()).isEqualTo(2);
        assertThat(body.limit()).isEqualTo(5);

        ByteBuffer direct = ByteBuffer.allocateDirect(8).put(new BodyWriter().i32(-5).stringToEnd("abc").toBody())
                .flip();
        BodyReader fromDirect = new BodyReader(direct);
        assertThat(fromDirect.i32()).isEqualTo(-5);
        assertThat(fromDirect.stringToEnd()).isEqualTo("abc");

        ByteBuffer readOnly = ByteBuffer.wrap(new BodyWriter().f64(2.5).string("é").toBody()).asReadOnlyBuffer();
        BodyReader fromReadOnly = new BodyReader(readOnly);
        assertThat(fromReadOnly.f64()).isEqualTo(2.5);
        assertThat(fromReadOnly.string()).isEqualTo("é");
    }

    @Test
    void valuesOutsideTheirFieldAreTheWritersBug() {
        assertThatThrownBy(() -> new BodyWriter().u8(256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().u8(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().i8(128)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().u16(0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().i16(-32769)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().u32(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().u32(1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyWriter().string("x".repeat(0x10000))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theWriterGrowsUpToOneFrameAndMakesTheFrameInPlace() {
        BodyWriter grown = new BodyWriter(0);
        for (int i = 0; i < 1000; i++) {
            grown.i32(i);
        }
        byte[] frame = grown.toFrame(7);
        assertThat(frame).hasSize(Frames.HEADER_SIZE + 4000);
        assertThat(Frames.getUInt16(frame, 0)).isEqualTo(frame.length);
        assertThat(Frames.getUInt16(frame, 2)).isEqualTo(7);
        BodyReader in = new BodyReader(ByteBuffer.wrap(frame, Frames.HEADER_SIZE, 4000));
        for (int i = 0; i < 1000; i++) {
            assertThat(in.i32()).isEqualTo(i);
        }

        BodyWriter full = new BodyWriter(Frames.MAX_FRAME_SIZE - Frames.HEADER_SIZE);
        full.raw(new byte[Frames.MAX_FRAME_SIZE - Frames.HEADER_SIZE]);
        assertThatThrownBy(() -> full.u8(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one frame");
        assertThat(full.toFrame(1)).hasSize(Frames.MAX_FRAME_SIZE);
    }

    @Test
    void aFrameOfTheExactCapacityIsTheWritersOwnArray() {
        BodyWriter exact = new BodyWriter(8).i32(1).i32(2);
        assertThat(exact.toFrame(3)).isSameAs(exact.toFrame(3));
        BodyWriter roomy = new BodyWriter(100).i32(1);
        assertThat(roomy.toFrame(3)).hasSize(Frames.HEADER_SIZE + 4).isNotSameAs(roomy.toFrame(3));
    }

    /** A type's decode reads the whole body: too long, too short, or bytes left over are protocol errors. */
    record Point(float x, float y) implements Packet {
        static final PacketType<Point> TYPE = PacketType.of(30, in -> new Point(in.f32(), in.f32()),
                (p, out) -> out.f32(p.x()).f32(p.y())).sized(p -> 8).maxBodySize(8);

        @Override
        public PacketType<Point> type() {
            return TYPE;
        }
    }

    @Test
    void aPacketTypeEncodesAWholeFrameAndDecodesExactlyItsBody() {
        byte[] frame = new Point(1.5f, -2f).encode();
        assertThat(Frames.getUInt16(frame, 0)).isEqualTo(12);
        assertThat(Frames.getUInt16(frame, 2)).isEqualTo(30);
        ByteBuffer body = ByteBuffer.wrap(frame, 4, 8);
        assertThat(Point.TYPE.decode(body)).isEqualTo(new Point(1.5f, -2f));
        assertThat(body.position()).as("the body is not moved").isEqualTo(4);
        assertThatThrownBy(() -> Point.TYPE.decode(ByteBuffer.wrap(new byte[9]))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("packet 30").hasMessageContaining("at most 8");
        assertThatThrownBy(() -> Point.TYPE.decode(ByteBuffer.wrap(new byte[7]))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("packet 30").hasMessageContaining("too short");
        PacketType<Point> loose = PacketType.of(30, in -> new Point(in.f32(), in.f32()), (p, out) -> {
        });
        assertThatThrownBy(() -> loose.decode(ByteBuffer.wrap(new byte[9]))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("1 bytes after the last field");
        assertThatThrownBy(() -> PacketType.of(0x10000, in -> null, (p, out) -> {
        })).isInstanceOf(IllegalArgumentException.class);
    }
}
