package dev.servercore.core;

import java.nio.ByteBuffer;

/**
 * A session that speaks the framing of PROTOCOL.md: reads of any size are reassembled into packets,
 * delivered to {@link #onRecvPacket} in order. A bad size closes this session with
 * {@link CloseReason#PROTOCOL_ERROR}; other sessions never notice.
 */
public abstract class PacketSession extends Session {

    /** Made on the first read (the settings are known once the session is open); reading thread only. */
    private FrameDecoder decoder;
    private FrameDecoder.FrameHandler countingHandler;

    /** One packet. The body is only valid during the call: copy what you keep. */
    protected abstract void onRecvPacket(int packetId, ByteBuffer body);

    /** Encodes and queues one frame. */
    public boolean send(int packetId, byte[] body) {
        return send(Frames.encode(packetId, body));
    }

    /** Encodes and queues one frame; the body's position is not changed. */
    public boolean send(int packetId, ByteBuffer body) {
        return send(Frames.encode(packetId, body));
    }

    @Override
    protected final void onRecv(ByteBuffer data) {
        if (decoder == null) {
            SessionMetrics metrics = metrics();
            decoder = new FrameDecoder(settings().maxFrameSize());
            // Counted frame by frame, so a frame delivered before a bad one in the same read still counts.
            countingHandler = (packetId, body) -> {
                metrics.packetsReceived(1);
                onRecvPacket(packetId, body);
            };
        }
        decoder.decode(data, countingHandler);
    }

    @Override
    final boolean countsReadsAsPackets() {
        return false;
    }
}
