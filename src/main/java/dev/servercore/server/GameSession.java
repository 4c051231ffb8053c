package dev.servercore.server;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

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
    /** The room the client asked for last (C_JoinRoom, v2) and not yet answered with S_JoinedRoom. */
    private final AtomicReference<String> askedFor = new AtomicReference<>();

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

    /** True once per ask: the client asked for {@code room} last, and this call is the one that answers it. */
    boolean answers(String room) {
        String asked = askedFor.get();
        return room.equals(asked) && askedFor.compareAndSet(asked, null);
    }

    void asks(String room) {
        askedFor.set(room);
    }
}
