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
    private int framesInRead;

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
            decoder = new FrameDecoder(settings().maxFrameSize());
            countingHandler = (packetId, body) -> {
                framesInRead++;
                onRecvPacket(packetId, body);
            };
        }
        framesInRead = 0;
        try {
            decoder.decode(data, countingHandler);
        } finally {
            // once per read, and also when a bad frame or session code cuts the read short
            if (framesInRead > 0) {
                metrics().packetsReceived(framesInRead);
            }
        }
    }

    @Override
    final boolean countsReadsAsPackets() {
        return false;
    }
}
