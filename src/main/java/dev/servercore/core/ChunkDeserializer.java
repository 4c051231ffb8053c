package dev.servercore.core;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.core.serializer.Deserializer;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

/**
 * Returns whatever one read brings, sized to what arrived: the framing is done by the session
 * ({@link PacketSession}), like the C# {@code RecvBuffer} + {@code OnRecv}, so that a read holding many
 * frames costs one hand-off, not one per frame. It blocks for the first byte without any buffer, then
 * takes what the socket already holds: an idle connection pins no read buffer.
 */
final class ChunkDeserializer implements Deserializer<byte[]> {

    private final int maxChunk;

    ChunkDeserializer(int maxChunk) {
        this.maxChunk = maxChunk;
    }

    @Override
    public byte[] deserialize(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new SoftEndOfStreamException("Stream closed by the peer");
        }
        int more = Math.min(in.available(), maxChunk - 1);
        byte[] chunk = new byte[1 + more];
        chunk[0] = (byte) first;
        int filled = 1;
        while (filled < chunk.length) {
            int n = in.read(chunk, filled, chunk.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, filled);
    }
}
