package dev.servercore.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/** Wire protocol v1 constants and frame helpers (see shared/PROTOCOL.md). */
final class Proto {
    static final int HEADER = 4;
    static final int DEFAULT_MAX_FRAME = 4096;
    static final int MAX_FRAME_LIMIT = 65535;

    static final int S_WELCOME = 1;
    static final int ECHO = 2;
    static final int C_CHAT = 3;
    static final int S_CHAT = 4;

    static final String WELCOME_TEXT = "Welcome to MMORPG Server!";
    static final byte[] WELCOME_BYTES = WELCOME_TEXT.getBytes(StandardCharsets.UTF_8);

    private Proto() {
    }

    /** Allocates a buffer for a frame with the given body length and writes its header. */
    static ByteBuf frame(ByteBufAllocator alloc, int packetId, int bodyLength) {
        int size = HEADER + bodyLength;
        if (size > MAX_FRAME_LIMIT) {
            throw new IllegalArgumentException("frame too large: " + size);
        }
        ByteBuf buf = alloc.ioBuffer(size);
        buf.writeShortLE(size);
        buf.writeShortLE(packetId);
        return buf;
    }
}
