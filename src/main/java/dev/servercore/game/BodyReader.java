package dev.servercore.game;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.ProtocolException;

/**
 * Reads the little-endian fields of one packet's body, from the buffer's position to its limit, in place (the
 * buffer itself is never moved). Whatever is not there, or is not what the field says (text that is not strict
 * UTF-8, a boolean other than 0 or 1), is a {@link ProtocolException}: the engine closes the sender with
 * {@code S_Kick(protocol_error)}. Valid only as long as the body is (during a handler's call).
 */
public final class BodyReader {

    private static final VarHandle I16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer body;
    private final int start;
    private final int end;
    private int at;

    public BodyReader(ByteBuffer body) {
        this.body = body;
        this.start = body.position();
        this.end = body.limit();
        this.at = start;
    }

    /** A reader of a whole array. */
    public static BodyReader of(byte[] body) {
        return new BodyReader(ByteBuffer.wrap(body));
    }

    /** Bytes not read yet. */
    public int remaining() {
        return end - at;
    }

    public boolean hasRemaining() {
        return at < end;
    }

    /** Bytes read so far. */
    public int position() {
        return at - start;
    }

    /** Takes {@code bytes} for {@code field}: the index of the first, or a protocol error if the body is shorter. */
    private int take(int bytes, String field) {
        if (end - at < bytes) {
            throw new ProtocolException("body too short: " + field + " at byte " + (at - start) + " needs " + bytes
                    + " bytes, " + (end - at) + " left");
        }
        int index = at;
        at += bytes;
        return index;
    }

    public int u8() {
        return body.get(take(1, "u8")) & 0xFF;
    }

    public byte i8() {
        return body.get(take(1, "i8"));
    }

    public int u16() {
        return (short) I16.get(body, take(2, "u16")) & 0xFFFF;
    }

    public short i16() {
        return (short) I16.get(body, take(2, "i16"));
    }

    public int i32() {
        return (int) I32.get(body, take(4, "i32"));
    }

    /** An unsigned 32-bit value (a PROTOCOL.md session id, say). */
    public long u32() {
        return (int) I32.get(body, take(4, "u32")) & 0xFFFF_FFFFL;
    }

    public long i64() {
        return (long) I64.get(body, take(8, "i64"));
    }

    /** An IEEE 754 binary32, as Java keeps it (NaN payloads included). */
    public float f32() {
        return Float.intBitsToFloat((int) I32.get(body, take(4, "f32")));
    }

    public double f64() {
        return Double.longBitsToDouble((long) I64.get(body, take(8, "f64")));
    }

    /** One byte, 0 or 1; anything else is a protocol error. */
    public boolean bool() {
        int value = body.get(take(1, "bool"));
        if (value != 0 && value != 1) {
            throw new ProtocolException("a boolean of " + value + " at byte " + (at - 1 - start));
        }
        return value == 1;
    }

    /** A u16 length, then that many bytes (a copy). */
    public byte[] bytes() {
        int length = u16();
        return copy(take(length, "bytes"), length);
    }

    /** A u16 length, then that many bytes of strict UTF-8. */
    public String string() {
        int length = u16();
        return text(take(length, "string"), length);
    }

    /** Everything not read yet, as strict UTF-8. */
    public String stringToEnd() {
        int length = remaining();
        return text(take(length, "string"), length);
    }

    /** Everything not read yet (a copy). */
    public byte[] bytesToEnd() {
        int length = remaining();
        return copy(take(length, "bytes"), length);
    }

    /** The next {@code length} bytes in place, as a buffer of their own (valid as long as the body is). */
    public ByteBuffer slice(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length);
        }
        return body.slice(take(length, "bytes"), length);
    }

    private byte[] copy(int index, int length) {
        byte[] copy = new byte[length];
        body.get(index, copy, 0, length);
        return copy;
    }

    private String text(int index, int length) {
        if (!Utf8.isValid(body, index, index + length)) {
            throw new ProtocolException("text at byte " + (index - start) + " is not UTF-8");
        }
        if (body.hasArray()) {
            return new String(body.array(), body.arrayOffset() + index, length, StandardCharsets.UTF_8);
        }
        return new String(copy(index, length), StandardCharsets.UTF_8);
    }
}
