package dev.servercore.core;

import java.nio.ByteBuffer;

/**
 * A session that speaks the framing of PROTOCOL.md: reads of any size are reassembled into packets,
 * delivered to {@link #onRecvPacket} in order. A bad size, or a frame that takes longer than
 * {@code servercore.session.frame-timeout} to arrive, closes this session with
 * {@link CloseReason#PROTOCOL_ERROR}; other sessions never notice. Once the session is asked to close,
 * the frames still in the read are not delivered.
 */
public abstract class PacketSession extends Session {

    /** Made on the first read (the settings are known once the session is open); loop only. */
    private FrameDecoder decoder;
    private FrameDecoder.FrameHandler handler;
    /** A listener's sessions: the session layer's frames, and every frame until a required login is done. */
    private ServerSessionLayer layer;
    private int framesInRead;

    /** One packet. The body is only valid during the call: copy what you keep. */
    protected abstract void onRecvPacket(int packetId, ByteBuffer body);

    /**
     * The session has logged in ({@code C_Login} verified, {@code S_LoginOk} queued): {@link #principal()} says
     * who it is. Runs once, on the loop, before any packet that followed the login reaches
     * {@link #onRecvPacket}; where login is required, no game packet reaches it before. Never called for a
     * session that does not log in.
     */
    protected void onLogin() {
    }

    /**
     * Encodes and queues one frame. A listener's sessions send ids below {@link SessionLayer#FIRST_ID} only: the
     * session layer's frames to a client are the engine's.
     */
    public boolean send(int packetId, byte[] body) {
        return send(Frames.encode(checked(packetId), body));
    }

    /** Encodes and queues one frame (as {@link #send(int, byte[])}); the body's position is not changed. */
    public boolean send(int packetId, ByteBuffer body) {
        return send(Frames.encode(checked(packetId), body));
    }

    private int checked(int packetId) {
        SessionConnection c = connection();
        boolean server = c == null || c.loop().endpoint().isServer();
        if (server && SessionLayer.isSessionLayer(packetId) && packetId <= 0xFFFF) {
            throw new IllegalArgumentException("packet id 0x" + Integer.toHexString(packetId)
                    + " belongs to the session layer (0xFF00..0xFFFF); games use ids below 0xFF00");
        }
        return packetId;
    }

    @Override
    protected final void onRecv(ByteBuffer data) {
        if (decoder == null) {
            SessionConnection connection = connection();
            decodeFrom(connection, new FrameDecoder(connection.settings().maxFrameSize()));
            if (connection.loop().endpoint().isServer()) {
                layer = new ServerSessionLayer(this, connection, connection.loop().endpoint().logins(), false);
            }
        }
        decoder.decode(data, handler);
    }

    private void decodeFrom(SessionConnection connection, FrameDecoder frames) {
        decoder = frames;
        handler = (packetId, body) -> {
            if (!connection.isAccepting()) {
                frames.stop(); // closing (asked by another thread): the rest of the read is not delivered
                return;
            }
            framesInRead++;
            frameIn(packetId, body);
            if (!connection.isAccepting()) {
                frames.stop(); // before the next header is even read: it may be garbage
            }
        };
    }

    /** One frame from the peer: to the session layer, or to game code (counted when the session is resumable). */
    final void frameIn(int packetId, ByteBuffer body) {
        ServerSessionLayer sessionLayer = layer;
        if (sessionLayer != null && (packetId >= SessionLayer.FIRST_ID || sessionLayer.gates())) {
            sessionLayer.onFrame(packetId, body);
            return;
        }
        if (resumption != null) {
            connection().clientFrameReceived();
        }
        onRecvPacket(packetId, body);
    }

    /** What a connection read for its fresh session and did not deliver, when a resume hands the connection on. */
    record Input(FrameDecoder decoder, long partialFrameSince) {
    }

    /** The fresh session of a connection that resumes another: it gives up what it read. Loop only. */
    final Input takeInput() {
        // frames that waited for the resume belong to this session: they go with it (see SessionConnection.adopt)
        Input input = new Input(decoder, partialFrameSince);
        decoder = null;
        handler = null;
        return input;
    }

    /** The resumed session on its new connection: it goes on reading where the fresh session stopped. */
    final void resumedOn(SessionConnection connection, Input input) {
        decodeFrom(connection, input.decoder() != null ? input.decoder()
                : new FrameDecoder(connection.settings().maxFrameSize()));
        partialFrameSince = input.partialFrameSince();
        layer = new ServerSessionLayer(this, connection, connection.loop().endpoint().logins(), true);
    }

    @Override
    final void connectionLost() {
        super.connectionLost();
        decoder = null; // a partial frame of the dead connection: the client sends it again after a resume
        handler = null;
    }

    /** The resume this fresh session's client asked for failed: it goes on as a new session. */
    final void resumeRefused() {
        layer.resumeRefused();
    }

    /**
     * Frames of one sent array (a broadcast batch holds several) whose last byte lies in {@code [from, to)},
     * found by walking their size fields; an array that is not whole frames counts as one packet.
     */
    @Override
    final int packetsEndingIn(byte[] data, int from, int to) {
        int frames = 0;
        for (int at = 0; at + 1 < data.length; ) {
            int size = Frames.getUInt16(data, at);
            if (size < Frames.HEADER_SIZE) {
                return super.packetsEndingIn(data, from, to);
            }
            at += size;
            if (at > from && at <= to) {
                frames++;
            } else if (at > to) {
                break;
            }
        }
        return frames;
    }

    @Override
    final byte[] kickFrame(KickReason reason, String text, int maxFrameSize) {
        return SessionLayer.kick(reason, text, maxFrameSize);
    }

    @Override
    final void received(ByteBuffer data, EventLoop loop) {
        framesInRead = 0;
        try {
            onRecv(data);
        } finally {
            // once per read, also when a bad frame or session code cut the read short
            loop.packetsReceived += framesInRead;
            if (decoder == null || decoder.pendingBytes() == 0) {
                partialFrameSince = 0;
            } else if (framesInRead > 0 || partialFrameSince == 0) {
                partialFrameSince = loop.now | 1; // a new frame began in this read
            }
        }
    }
}
