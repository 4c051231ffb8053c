package dev.servercore.game;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import dev.servercore.core.Frames;

/**
 * Writes the little-endian fields of one packet's body into an array that has room for the frame's header in
 * front, so {@link #toFrame} makes the whole frame without copying the body (and without any copy when the
 * capacity given was the body's size). Grows as needed, up to what one frame carries. A value out of its
 * field's range, or text that is not valid UTF-16 (a lone surrogate), is an {@link IllegalArgumentException}:
 * the writer's bug, never sent.
 */
public final class BodyWriter {

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_BODY_SIZE = Frames.MAX_FRAME_SIZE - Frames.HEADER_SIZE;

    private byte[] bytes;
    /** The next byte's index in {@link #bytes}: the body starts at {@link Frames#HEADER_SIZE}. */
    private int at = Frames.HEADER_SIZE;

    public BodyWriter() {
        this(PacketType.DEFAULT_BODY_CAPACITY);
    }

    /** A writer with room for {@code bodyCapacity} bytes of body before it grows. */
    public BodyWriter(int bodyCapacity) {
        bytes = new byte[Frames.HEADER_SIZE + Math.max(0, Math.min(bodyCapacity, MAX_BODY_SIZE))];
    }

    /** Bytes of body written so far. */
    public int size() {
        return at - Frames.HEADER_SIZE;
    }

    /** The index to write {@code count} bytes at, growing the array if needed. */
    private int reserve(int count) {
        int index = at;
        long needed = (long) index + count;
        if (needed > Frames.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("a body of " + (needed - Frames.HEADER_SIZE) + " bytes: at most "
                    + MAX_BODY_SIZE + " fit in one frame");
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(Frames.MAX_FRAME_SIZE, Math.max(needed, 2L * bytes.length)));
        }
        at = (int) needed;
        return index;
    }

    private static void check(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " " + value + " outside " + min + ".." + max);
        }
    }

    public BodyWriter u8(int value) {
        check(value, 0, 0xFF, "u8");
        int index = reserve(1);
        bytes[index] = (byte) value;
        return this;
    }

    public BodyWriter i8(int value) {
        check(value, Byte.MIN_VALUE, Byte.MAX_VALUE, "i8");
        int index = reserve(1);
        bytes[index] = (byte) value;
        return this;
    }

    public BodyWriter u16(int value) {
        check(value, 0, 0xFFFF, "u16");
        int index = reserve(2);
        I16.set(bytes, index, (short) value);
        return this;
    }

    public BodyWriter i16(int value) {
        check(value, Short.MIN_VALUE, Short.MAX_VALUE, "i16");
        int index = reserve(2);
        I16.set(bytes, index, (short) value);
        return this;
    }

    public BodyWriter i32(int value) {
        int index = reserve(4);
        I32.set(bytes, index, value);
        return this;
    }

    /** An unsigned 32-bit value: 0..4294967295. */
    public BodyWriter u32(long value) {
        check(value, 0, 0xFFFF_FFFFL, "u32");
        int index = reserve(4);
        I32.set(bytes, index, (int) value);
        return this;
    }

    public BodyWriter i64(long value) {
        int index = reserve(8);
        I64.set(bytes, index, value);
        return this;
    }

    public BodyWriter f32(float value) {
        int index = reserve(4);
        I32.set(bytes, index, Float.floatToRawIntBits(value));
        return this;
    }

    public BodyWriter f64(double value) {
        int index = reserve(8);
        I64.set(bytes, index, Double.doubleToRawLongBits(value));
        return this;
    }

    /** One byte: 1 for true, 0 for false. */
    public BodyWriter bool(boolean value) {
        int index = reserve(1);
        bytes[index] = (byte) (value ? 1 : 0);
        return this;
    }

    /** A u16 length, then the bytes. */
    public BodyWriter bytes(byte[] value) {
        check(value.length, 0, 0xFFFF, "a length");
        u16(value.length);
        return raw(value);
    }

    /** The bytes as they are, no length before them (the last field, or one of a known size). */
    public BodyWriter raw(byte[] value) {
        int index = reserve(value.length);
        System.arraycopy(value, 0, bytes, index, value.length);
        return this;
    }

    /** The bytes from the buffer's position to its limit, no length before them; the buffer is not moved. */
    public BodyWriter raw(ByteBuffer value) {
        int length = value.remaining();
        int index = reserve(length);
        value.get(value.position(), bytes, index, length);
        return this;
    }

    /** A u16 length in bytes, then the text as UTF-8. */
    public BodyWriter string(String value) {
        int lengthAt = reserve(2);
        int length = utf8(value);
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("a string of " + length + " bytes: at most 65535 after a u16 length");
        }
        I16.set(bytes, lengthAt, (short) length);
        return this;
    }

    /** The text as UTF-8, no length before it: the body's last field. */
    public BodyWriter stringToEnd(String value) {
        utf8(value);
        return this;
    }

    /** Encodes {@code text} as UTF-8 straight into the array; the bytes written. */
    private int utf8(String text) {
        int from = at;
        int length = text.length();
        int i = 0;
        // ASCII, the usual case, one byte a char with a single bounds check
        int ascii = reserve(length);
        while (i < length) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                break;
            }
            bytes[ascii + i++] = (byte) c;
        }
        at = ascii + i;
        while (i < length) {
            char c = text.charAt(i++);
            if (c < 0x80) {
                int index = reserve(1);
                bytes[index] = (byte) c;
            } else if (c < 0x800) {
                int index = reserve(2);
                bytes[index] = (byte) (0xC0 | c >> 6);
                bytes[index + 1] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i == length || !Character.isLowSurrogate(text.charAt(i))) {
                    throw new IllegalArgumentException("text with a lone surrogate at char " + (i - 1)
                            + ": not encodable as UTF-8");
                }
                int point = Character.toCodePoint(c, text.charAt(i++));
                int index = reserve(4);
                bytes[index] = (byte) (0xF0 | point >> 18);
                bytes[index + 1] = (byte) (0x80 | point >> 12 & 0x3F);
                bytes[index + 2] = (byte) (0x80 | point >> 6 & 0x3F);
                bytes[index + 3] = (byte) (0x80 | point & 0x3F);
            } else {
                int index = reserve(3);
                bytes[index] = (byte) (0xE0 | c >> 12);
                bytes[index + 1] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[index + 2] = (byte) (0x80 | c & 0x3F);
            }
        }
        return at - from;
    }

    /**
     * The frame of packet {@code packetId} with what was written as its body. The writer's own array when the body
     * filled it exactly (no copy), else a copy of the right size. The writer is not to be used afterwards.
     */
    public byte[] toFrame(int packetId) {
        if (packetId < 0 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("packet id " + packetId + " is not 0..65535");
        }
        byte[] frame = at == bytes.length ? bytes : Arrays.copyOf(bytes, at);
        Frames.putUInt16(frame, 0, at);
        Frames.putUInt16(frame, 2, packetId);
        return frame;
    }

    /** A copy of the body written so far. */
    public byte[] toBody() {
        return Arrays.copyOfRange(bytes, Frames.HEADER_SIZE, at);
    }
}
