package dev.servercore.dummyclient;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import dev.servercore.core.Frames;
import dev.servercore.core.KickReason;
import dev.servercore.core.SessionLayer;
import dev.servercore.protocol.Welcome;

/**
 * The client side of PROTOCOL.md's resume for one player: a logical session that outlives its TCP connections.
 * On the first connection it is welcomed (and logs in), asks for resume ({@code C_ResumeEnable}) and, with the
 * token, lets its player join; then it numbers frames both ways ({@link ResumeLedger}) and acknowledges what
 * arrives. When its connection drops (or the chaos resets it), it opens a new one and sends {@code C_Resume} first,
 * ignores what comes before {@code S_Resumed}, sends again what the server had not received, and goes on. A resume
 * that fails loses the player. Thread-safe: one lock for the link, taken by the connections' loops, the driver
 * (sends), the fleet's timer (acks) and the chaos (resets).
 */
final class ResumableLink implements RoomPlayer.Outbox {

    private static final int TOKEN_SIZE = 16;
    private static final byte[] RESUME_ENABLE = Frames.encode(SessionLayer.C_RESUME_ENABLE, new byte[0]);
    /** How long past the server's window a resume may still take before the link gives up. */
    private static final long GIVE_UP_GRACE_NANOS = 5_000_000_000L;

    enum State {
        WELCOMING, LOGGING_IN, ENABLING, ACTIVE, RECONNECTING, RESUMING, FAILED, CLOSED
    }

    private final ResumeFleet fleet;
    private final int connector;
    /** Null: no login. */
    private final DummyLogin login;
    private final RoomPlayer player;
    private final ResumeLedger ledger = new ResumeLedger();
    private State state = State.WELCOMING;
    private LinkConnection current;
    private byte[] token;
    private long windowNanos;
    /** When the connection was lost (System.nanoTime), until the first frame after S_Resumed; 0: not lost. */
    private long lostAt;
    private boolean firstFrameDue;
    private boolean kicked;
    /** The server numbers frames both ways (it answered C_ResumeEnable with a token); until then, or if it refused, not. */
    private boolean numbered;

    ResumableLink(ResumeFleet fleet, int connector, DummyLogin login, RoomTraffic traffic) {
        this.fleet = fleet;
        this.connector = connector;
        this.login = login;
        this.player = new RoomPlayer(traffic, this);
    }

    RoomPlayer player() {
        return player;
    }

    int connector() {
        return connector;
    }

    /** A new connection of this link is open (the first, or one to resume on). */
    void use(LinkConnection connection) {
        synchronized (this) {
            if (state != State.WELCOMING && state != State.RECONNECTING) {
                connection.disconnect(); // given up, or closing, meanwhile
                return;
            }
            current = connection;
        }
        connection.attach(this);
    }

    synchronized void welcomed(LinkConnection connection) {
        if (connection != current) {
            return;
        }
        if (state == State.WELCOMING) {
            if (login != null) {
                connection.send(login.loginFrame());
                state = State.LOGGING_IN;
            } else {
                enable(connection);
            }
        } else if (state == State.RECONNECTING) {
            // the first frame of the new connection
            connection.send(ledger.resumeFrame(token));
            state = State.RESUMING;
        }
    }

    private void enable(LinkConnection connection) {
        connection.send(RESUME_ENABLE);
        state = State.ENABLING;
    }

    synchronized void onFrame(LinkConnection connection, int packetId, ByteBuffer body) {
        if (connection != current) {
            return; // a connection this link has left
        }
        long now = System.nanoTime();
        if (packetId == Welcome.ID && (state == State.WELCOMING || state == State.RECONNECTING)) {
            welcomed(connection);
            return;
        }
        if (state == State.RESUMING) {
            // what comes before S_Resumed belongs to the new connection's own fresh session
            if (packetId == SessionLayer.S_RESUMED) {
                resumed(connection, body);
            } else if (packetId == SessionLayer.S_RESUME_FAILED) {
                KickReason reason = SessionLayer.reasonOf(body);
                fail(connection, reason == null ? "unknown" : reason.name().toLowerCase(java.util.Locale.ROOT));
            }
            return;
        }
        ByteBuffer le = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (packetId) {
            case SessionLayer.S_LOGIN_OK -> {
                if (state == State.LOGGING_IN) {
                    enable(connection);
                }
            }
            case SessionLayer.S_RESUME_TOKEN -> {
                if (state != State.ENABLING || body.remaining() < TOKEN_SIZE + 4) {
                    fleet.error(this + ": S_ResumeToken out of place");
                    return;
                }
                token = new byte[TOKEN_SIZE];
                le.get(token);
                windowNanos = Integer.toUnsignedLong(le.getInt()) * 1_000_000L;
                numbered = true;
                state = State.ACTIVE;
                player.ready();
            }
            case SessionLayer.S_RESUME_FAILED -> {
                if (state == State.ENABLING) {
                    // the gateway keeps no sessions for resume: counted, and the player plays on unresumable
                    fleet.enableRefused(this);
                    state = State.ACTIVE;
                    player.ready();
                }
            }
            case SessionLayer.S_ACK -> {
                try {
                    ledger.acked(le.getLong());
                } catch (RuntimeException bad) {
                    fleet.error(this + ": " + bad.getMessage());
                }
            }
            case SessionLayer.S_KICK -> kicked = true; // the server chose to end the session: no resume
            default -> {
                if (packetId < SessionLayer.FIRST_ID && state == State.ACTIVE) {
                    received(connection, packetId, body, now);
                }
                // S_Reconnect: the close follows, then the resume; game frames before the token: not the player's
            }
        }
    }

    private void received(LinkConnection connection, int packetId, ByteBuffer body, long now) {
        if (!numbered) {
            player.onPacket(packetId, body, now);
            return;
        }
        ledger.frameReceived();
        if (firstFrameDue) {
            firstFrameDue = false;
            fleet.interrupted(now - lostAt);
            lostAt = 0;
        }
        player.onPacket(packetId, body, now);
        if (ledger.ackDue()) {
            connection.send(ledger.ackFrame());
        }
    }

    private void resumed(LinkConnection connection, ByteBuffer body) {
        if (body.remaining() < 12) {
            fail(connection, "short_s_resumed");
            return;
        }
        ByteBuffer le = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long sessionId = Integer.toUnsignedLong(le.getInt());
        if (player.isJoined() && sessionId != player.sessionId()) {
            fleet.error(this + ": resumed as session " + sessionId + ", not its own " + player.sessionId());
        }
        List<byte[]> again;
        try {
            again = ledger.resendAfter(le.getLong());
        } catch (IllegalArgumentException gap) {
            fleet.error(this + ": " + gap.getMessage());
            fail(connection, "gap");
            return;
        }
        for (byte[] frame : again) {
            connection.send(frame);
        }
        state = State.ACTIVE;
        firstFrameDue = true;
        fleet.resumed(again.size());
    }

    private void fail(LinkConnection connection, String reason) {
        state = State.FAILED;
        player.lose();
        fleet.resumeFailed(this, reason);
        if (connection != null) {
            connection.disconnect();
        }
    }

    /** From the player: numbered, kept until acknowledged, and sent now if a connection is up. */
    @Override
    public synchronized boolean send(byte[] frame) {
        if (state == State.FAILED || state == State.CLOSED) {
            return false;
        }
        if (numbered) {
            ledger.sending(frame);
        }
        if (state == State.ACTIVE && current != null) {
            current.send(frame);
        }
        return true;
    }

    synchronized void connectionLost(LinkConnection connection) {
        if (connection != current) {
            return;
        }
        current = null;
        if (state == State.FAILED || state == State.CLOSED) {
            return;
        }
        if (fleet.isClosing()) {
            state = State.CLOSED;
        } else if (token == null || kicked) {
            state = State.FAILED; // not resumable (yet), or ended by the server: the player is gone
            player.lose();
            fleet.unexpectedDisconnect(this);
        } else {
            dropped();
        }
    }

    private void dropped() {
        if (lostAt == 0) {
            lostAt = System.nanoTime();
        }
        firstFrameDue = false;
        state = State.RECONNECTING;
        fleet.reconnect(this);
    }

    /** The chaos: resets the connection (as a network failure would) and resumes. False if not resumable now. */
    boolean reset() {
        LinkConnection old;
        synchronized (this) {
            if (state != State.ACTIVE || current == null || !numbered) {
                return false;
            }
            old = current;
            current = null; // what the old connection still delivers is not counted: the server replays it
            lostAt = System.nanoTime();
            state = State.RECONNECTING;
        }
        old.reset();
        fleet.reconnect(this);
        return true;
    }

    /** A connect for this link failed: true if it should be tried again (the link still waits for one). */
    synchronized boolean connectFailed() {
        if (state == State.WELCOMING) {
            state = State.FAILED;
            player.lose();
            return false;
        }
        return state == State.RECONNECTING;
    }

    /** The fleet's timer: a C_Ack for what arrived since the last one; a resume that takes too long is given up. */
    synchronized void tick(long now) {
        if (state == State.ACTIVE && current != null && numbered && ledger.unacked()) {
            current.send(ledger.ackFrame());
        } else if ((state == State.RECONNECTING || state == State.RESUMING) && lostAt != 0
                && now - lostAt > windowNanos + GIVE_UP_GRACE_NANOS) {
            LinkConnection connection = current;
            current = null;
            fail(connection, "timeout");
        }
    }

    synchronized boolean isActive() {
        return state == State.ACTIVE;
    }

    /** Not in the middle of a resume. */
    synchronized boolean isSettled() {
        return state != State.RECONNECTING && state != State.RESUMING;
    }

    synchronized void close() {
        if (state != State.FAILED) {
            state = State.CLOSED;
        }
    }

    @Override
    public String toString() {
        return "link of player " + player.index();
    }
}
