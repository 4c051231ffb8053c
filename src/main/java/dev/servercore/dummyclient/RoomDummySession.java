package dev.servercore.dummyclient;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.servercore.core.CloseReason;
import dev.servercore.core.PacketSession;
import dev.servercore.core.SessionLayer;
import dev.servercore.protocol.Welcome;

/**
 * A session of the chat and move scenarios without resume: one connection carries one {@link RoomPlayer}.
 * Welcomed (and logged in, when configured), the player joins its room.
 */
final class RoomDummySession extends PacketSession {

    private final RoomTraffic traffic;
    private final RoomPlayer player;
    /** Null: no login; else the player joins its room once S_LoginOk came. */
    private final DummyLogin login;

    RoomDummySession(RoomTraffic traffic, DummyLogin login) {
        this.login = login;
        this.traffic = traffic;
        this.player = new RoomPlayer(traffic, this::send);
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        switch (packetId) {
            case Welcome.ID -> {
                if (login != null) {
                    send(login.loginFrame());
                } else {
                    player.ready();
                }
            }
            case SessionLayer.S_LOGIN_OK -> player.ready();
            case SessionLayer.S_KICK -> {
                // the server's reason for the close that follows; the disconnect is counted then
            }
            default -> player.onPacket(packetId, body, System.nanoTime());
        }
    }

    RoomPlayer player() {
        return player;
    }

    String room() {
        return player.room();
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        traffic.forget(player.index());
        CloseReason reason = closeReason();
        if (reason != CloseReason.SHUTDOWN && reason != CloseReason.LOCAL) {
            traffic.unexpectedDisconnects.increment();
        }
    }
}
