package dev.servercore.core;

import java.nio.ByteBuffer;

/** Encoding of the PROTOCOL.md frame: u16 LE size (header included), u16 LE packetId, body. */
public final class Frames {

    public static final int HEADER_SIZE = 4;
    /** The size field is 16 bits: no frame can be longer. */
    public static final int MAX_FRAME_SIZE = 0xFFFF;

    private Frames() {
    }

    /** One frame, ready for {@link Session#send(byte[])} or a broadcast: encode once, send to many. */
    public static byte[] encode(int packetId, ByteBuffer body) {
        int size = HEADER_SIZE + body.remaining();
        byte[] frame = newFrame(size, packetId);
        body.get(body.position(), frame, HEADER_SIZE, body.remaining());
        return frame;
    }

    public static byte[] encode(int packetId, byte[] body) {
        return encode(packetId, ByteBuffer.wrap(body));
    }

    /** A frame whose body the caller fills from offset {@link #HEADER_SIZE}. */
    public static byte[] newFrame(int size, int packetId) {
        if (size < HEADER_SIZE || size > MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("frame size " + size + " outside " + HEADER_SIZE + ".." + MAX_FRAME_SIZE);
        }
        if (packetId < 0 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("packetId " + packetId + " is not an unsigned 16-bit value");
        }
        byte[] frame = new byte[size];
        putUInt16(frame, 0, size);
        putUInt16(frame, 2, packetId);
        return frame;
    }

    /**
     * Whole frames in {@code array}, found by walking their size fields (a broadcast batch holds several); an array
     * that is not whole frames counts as one.
     */
    public static int count(byte[] array) {
        int frames = 0;
        int at = 0;
        while (at + 1 < array.length) {
            int size = getUInt16(array, at);
            if (size < HEADER_SIZE) {
                return 1;
            }
            at += size;
            frames++;
        }
        return at == array.length && frames > 0 ? frames : 1;
    }

    public static void putInt64(byte[] bytes, int offset, long value) {
        putInt32(bytes, offset, (int) value);
        putInt32(bytes, offset + 4, (int) (value >>> 32));
    }

    public static long getInt64(ByteBuffer bytes, int offset) {
        return (getUInt16(bytes, offset) & 0xFFFFL) | (getUInt16(bytes, offset + 2) & 0xFFFFL) << 16
                | (getUInt16(bytes, offset + 4) & 0xFFFFL) << 32 | (getUInt16(bytes, offset + 6) & 0xFFFFL) << 48;
    }

    public static int getUInt16(ByteBuffer bytes, int offset) {
        return (bytes.get(offset) & 0xFF) | (bytes.get(offset + 1) & 0xFF) << 8;
    }

    public static int getUInt16(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8;
    }

    public static void putUInt16(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) value;
        bytes[offset + 1] = (byte) (value >>> 8);
    }

    public static void putInt32(byte[] bytes, int offset, int value) {
        putUInt16(bytes, offset, value & 0xFFFF);
        putUInt16(bytes, offset + 2, value >>> 16);
    }
}
