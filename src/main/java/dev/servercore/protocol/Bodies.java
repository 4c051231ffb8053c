package dev.servercore.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;

/** Reading and writing the little-endian fields and UTF-8 text of PROTOCOL.md bodies. */
final class Bodies {

    private Bodies() {
    }

    /** A little-endian view of a body, from its position; the caller's buffer is not moved. */
    static ByteBuffer reader(ByteBuffer body) {
        return body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A whole frame of {@code bodySize} bytes of body, little-endian, positioned after the header. */
    static ByteBuffer frame(int packetId, int bodySize) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + bodySize, packetId);
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).position(Frames.HEADER_SIZE);
    }

    static void need(ByteBuffer in, int bytes, String packet) {
        if (in.remaining() < bytes) {
            throw new ProtocolException(packet + ": body too short (" + in.remaining() + " bytes, " + bytes + " needed)");
        }
    }

    static void end(ByteBuffer in, String packet) {
        if (in.hasRemaining()) {
            throw new ProtocolException(packet + ": " + in.remaining() + " bytes after the last field");
        }
    }

    /** The rest of the body as UTF-8; malformed text is a protocol error. */
    static String text(ByteBuffer in, String packet) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(packet + ": text is not UTF-8");
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** u32 LE as Java int; PROTOCOL.md ids are positive, so the sign bit is never set by the server. */
    static long u32(ByteBuffer in) {
        return in.getInt() & 0xFFFF_FFFFL;
    }
}
