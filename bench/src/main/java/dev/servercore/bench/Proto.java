package dev.servercore.bench;

import java.nio.charset.StandardCharsets;

import dev.servercore.core.Frames;
import dev.servercore.protocol.Welcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The demo protocol on Netty buffers. Packet ids and the framing constants are not repeated here: they are the
 * main project's ({@code dev.servercore.protocol} and {@code core.Frames}, compiled into this jar from
 * {@code ../src/main/java}; see pom.xml).
 */
final class Proto {
    /** {@code servercore.session.max-frame-size}'s default. */
    static final int DEFAULT_MAX_FRAME = 4096;
    static final byte[] WELCOME_BYTES = Welcome.TEXT.getBytes(StandardCharsets.UTF_8);

    private Proto() {
    }

    /** Allocates a buffer for a frame with the given body length and writes its header. */
    static ByteBuf frame(ByteBufAllocator alloc, int packetId, int bodyLength) {
        int size = Frames.HEADER_SIZE + bodyLength;
        if (size > Frames.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("frame too large: " + size);
        }
        ByteBuf buf = alloc.ioBuffer(size);
        buf.writeShortLE(size);
        buf.writeShortLE(packetId);
        return buf;
    }
}
