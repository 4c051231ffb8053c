package dev.servercore.core;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reassembles PROTOCOL.md frames from reads of any size: a frame split over many reads, or many frames
 * in one read. Complete frames inside a read are handed out as slices of it, without a copy; only a
 * frame that straddles reads is copied, into a buffer sized to that frame. One decoder per connection,
 * used by its event loop only.
 */
public final class FrameDecoder {

    /** Receives each complete frame. The body is only valid during the call. */
    @FunctionalInterface
    public interface FrameHandler {
        void onFrame(int packetId, ByteBuffer body);
    }

    private final int maxFrameSize;
    /** The start of a frame that straddles reads: its header (once known, sized to the whole frame). */
    private byte[] partial = new byte[0];
    private int partialLength;
    private boolean stopped;

    public FrameDecoder(int maxFrameSize) {
        if (maxFrameSize < Frames.HEADER_SIZE || maxFrameSize > Frames.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize must be within " + Frames.HEADER_SIZE + ".." + Frames.MAX_FRAME_SIZE);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Consumes all of {@code data}, delivering every frame it completes, in order.
     *
     * @return the number of frames delivered
     * @throws ProtocolException on a size below the header size or above the maximum
     */
    public int decode(ByteBuffer data, FrameHandler handler) {
        int frames = 0;
        if (stopped) {
            data.position(data.limit());
            return 0;
        }
        if (partialLength > 0) {
            if (!completePartial(data)) {
                return 0;
            }
            handler.onFrame(Frames.getUInt16(partial, 2),
                    ByteBuffer.wrap(partial, Frames.HEADER_SIZE, partialLength - Frames.HEADER_SIZE).slice());
            partial = new byte[0];
            partialLength = 0;
            frames++;
        }
        while (!stopped && data.remaining() >= 2) {
            int start = data.position();
            int size = frameSize(data.get(start), data.get(start + 1));
            if (data.remaining() < size) {
                break;
            }
            data.position(start + size);
            handler.onFrame(Frames.getUInt16(data, start + 2),
                    data.slice(start + Frames.HEADER_SIZE, size - Frames.HEADER_SIZE));
            frames++;
        }
        if (stopped) {
            data.position(data.limit());
        } else if (data.hasRemaining()) {
            startPartial(data);
        }
        return frames;
    }

    /** Delivers nothing more, from the next frame on: what is left of this read and later ones is dropped. */
    public void stop() {
        stopped = true;
        partial = new byte[0];
        partialLength = 0;
    }

    /** Bytes held for a frame not yet complete. */
    public int pendingBytes() {
        return partialLength;
    }

    private boolean completePartial(ByteBuffer data) {
        while (partialLength < 2 && data.hasRemaining()) {
            partial[partialLength++] = data.get();
        }
        if (partialLength < 2) {
            return false;
        }
        int size = frameSize(partial[0], partial[1]);
        if (partial.length != size) {
            partial = Arrays.copyOf(partial, size);
        }
        int take = Math.min(size - partialLength, data.remaining());
        data.get(partial, partialLength, take);
        partialLength += take;
        return partialLength == size;
    }

    private void startPartial(ByteBuffer data) {
        int length = data.remaining();
        if (length >= 2) {
            partial = new byte[frameSize(data.get(data.position()), data.get(data.position() + 1))];
        } else {
            partial = new byte[2];
        }
        data.get(partial, 0, length);
        partialLength = length;
    }

    private int frameSize(byte low, byte high) {
        int size = (low & 0xFF) | (high & 0xFF) << 8;
        if (size < Frames.HEADER_SIZE || size > maxFrameSize) {
            throw new ProtocolException("frame size " + size + " outside " + Frames.HEADER_SIZE + ".." + maxFrameSize);
        }
        return size;
    }
}
