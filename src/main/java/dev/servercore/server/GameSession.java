package dev.servercore.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.servercore.core.Frames;
import dev.servercore.core.PacketSession;
import dev.servercore.core.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The demo server's session (framed mode): welcome, echo, and chat to everyone connected. */
public class GameSession extends PacketSession {

    private static final Log log = LogFactory.getLog(GameSession.class);

    private final SessionRegistry room;
    private final Counter unknownPackets;

    public GameSession(SessionRegistry room, Counter unknownPackets) {
        this.room = room;
        this.unknownPackets = unknownPackets;
    }

    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        log.info("Session " + id() + " connected: " + endpoint);
        send(GamePackets.WELCOME_FRAME);
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        switch (packetId) {
            case GamePackets.ECHO -> send(Frames.encode(GamePackets.ECHO, body));
            case GamePackets.C_CHAT -> room.broadcast(GamePackets.chatFrame(id(), body));
            default -> unknownPackets.increment();
        }
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        log.info("Session " + id() + " disconnected: " + endpoint + " (" + closeReason().tag() + ")");
    }
}
