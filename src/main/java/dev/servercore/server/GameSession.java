package dev.servercore.server;

import java.net.InetSocketAddress;

import dev.servercore.game.HandlerSession;
import dev.servercore.game.Rooms;
import dev.servercore.protocol.Welcome;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The demo server's session (framed mode): welcomed, then in the room {@code lobby}; its packets go to
 * {@link DemoHandlers}.
 */
public class GameSession extends HandlerSession {

    private static final Log log = LogFactory.getLog(GameSession.class);

    private final Rooms rooms;
    private final boolean loginRequired;
    /** The room the client asked for last (C_JoinRoom, v2): joins into it are answered with S_JoinedRoom. */
    private volatile String askedFor;

    public GameSession(Rooms rooms, boolean loginRequired) {
        this.rooms = rooms;
        this.loginRequired = loginRequired;
    }

    /** Welcomed; in the lobby at once, or once logged in where login is required (nobody reads a room unknown). */
    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        if (log.isDebugEnabled()) { // not INFO: a line per connect, on the loop, is a peer's to provoke
            log.debug("Session " + id() + " connected: " + endpoint);
        }
        send(Welcome.FRAME);
        if (!loginRequired) {
            rooms.join(this, DemoHandlers.LOBBY);
        }
    }

    @Override
    protected void onLogin() {
        if (loginRequired) {
            rooms.join(this, DemoHandlers.LOBBY);
        }
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        if (log.isDebugEnabled()) {
            log.debug("Session " + id() + " disconnected: " + endpoint + " (" + closeReason().tag() + ")");
        }
    }

    boolean askedFor(String room) {
        return room.equals(askedFor);
    }

    void asks(String room) {
        askedFor = room;
    }
}
