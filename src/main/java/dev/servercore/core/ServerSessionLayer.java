package dev.servercore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The server side of PROTOCOL.md v3's session layer for one framed session of a listener: it takes the
 * frames of ids {@code 0xFF00..0xFFFF} (game code never sees them) and, while a login is due or under way,
 * every frame. Login: {@code C_Login}'s credential goes to the {@link Authenticator}; meanwhile the socket is
 * not read, and frames that came in the same read wait here, in order; then {@code S_LoginOk}, the session's
 * {@code onLogin}, and those frames. Anything else before a required login is {@code S_Kick(unauthenticated)}.
 * Resume: {@code C_ResumeEnable} makes the session resumable, {@code C_Ack} releases what the client has, and
 * {@code C_Resume}, only as the first frame of a connection (also before a required login), asks for an older
 * session; meanwhile frames wait here as during a login. Loop only.
 */
final class ServerSessionLayer {

    private static final int LOGIN_DUE = 0;
    private static final int AUTHENTICATING = 1;
    private static final int RESUMING = 2;
    private static final int OPEN = 3;
    /** C_Resume: a token, then the count of numbered frames the client has. */
    private static final int RESUME_BODY = 16 + 8;
    /** Longest principal an authenticator may give (PROTOCOL.md sends it back in S_LoginOk). */
    private static final int MAX_PRINCIPAL_BYTES = 256;

    private final PacketSession session;
    private final SessionConnection connection;
    private final Logins logins;
    private int state;
    /** The state a resume that fails goes back to. */
    private int beforeResume;
    /** Frames of this connection seen so far (C_Resume must be the first). */
    private long frames;
    /** Frames that came after C_Login or C_Resume (id, then body), for after it. */
    private List<Object[]> waiting;

    /** @param resumed the layer of a session resumed on a new connection: open from the start */
    ServerSessionLayer(PacketSession session, SessionConnection connection, Logins logins, boolean resumed) {
        this.session = session;
        this.connection = connection;
        this.logins = logins;
        this.state = resumed || !logins.settings().required() ? OPEN : LOGIN_DUE;
        this.frames = resumed ? 1 : 0;
    }

    /** Whether every frame, not only the session layer's, comes here. */
    boolean gates() {
        return state != OPEN;
    }

    void onFrame(int packetId, ByteBuffer body) {
        frames++;
        if (state == AUTHENTICATING || state == RESUMING) {
            byte[] copy = new byte[body.remaining()];
            body.get(copy);
            if (waiting == null) {
                waiting = new ArrayList<>();
            }
            waiting.add(new Object[] {packetId, copy});
            return;
        }
        boolean firstResume = packetId == SessionLayer.C_RESUME && frames == 1;
        if (state == LOGIN_DUE && packetId != SessionLayer.C_LOGIN && !firstResume) {
            // PROTOCOL.md: C_Login or C_Resume first; after a failed resume, the login
            connection.kick(KickReason.UNAUTHENTICATED, "log in first: C_Login must be the first packet");
            return;
        }
        switch (packetId) {
            case SessionLayer.C_LOGIN -> login(body);
            case SessionLayer.C_RESUME_ENABLE -> enableResume();
            case SessionLayer.C_RESUME -> resume(body, firstResume);
            case SessionLayer.C_ACK -> ack(body);
            default -> {
                if (SessionLayer.isSessionLayer(packetId)) {
                    connection.kick(KickReason.PROTOCOL_ERROR, "packet id 0x" + Integer.toHexString(packetId)
                            + " is reserved for the session layer");
                } else {
                    connection.kick(KickReason.UNAUTHENTICATED, "log in first: C_Login must be the first packet");
                }
            }
        }
    }

    private void enableResume() {
        if (connection.settings().resume().windowNanos() == 0) {
            connection.sendControl(SessionLayer.resumeFailed(KickReason.RESUME_UNKNOWN,
                    "this gateway keeps no sessions for resume", connection.settings().maxFrameSize()));
        } else if (connection.isResumable()) {
            connection.kick(KickReason.PROTOCOL_ERROR, "the session is resumable already");
        } else {
            connection.enableResume();
        }
    }

    private void ack(ByteBuffer body) {
        if (body.remaining() != 8) {
            connection.kick(KickReason.PROTOCOL_ERROR, "C_Ack's body is a u64, not " + body.remaining() + " bytes");
        } else if (connection.isResumable() && !connection.acknowledged(Frames.getInt64(body, body.position()))) {
            connection.kick(KickReason.PROTOCOL_ERROR, "C_Ack counts frames the server never sent");
        }
    }

    private void resume(ByteBuffer body, boolean first) {
        if (!first) {
            connection.kick(KickReason.PROTOCOL_ERROR, "C_Resume must be the first frame of a connection");
            return;
        }
        if (body.remaining() != RESUME_BODY) {
            connection.kick(KickReason.PROTOCOL_ERROR, "C_Resume's body is a 16-byte token and a u64, not "
                    + body.remaining() + " bytes");
            return;
        }
        if (connection.settings().resume().windowNanos() == 0) {
            connection.sendControl(SessionLayer.resumeFailed(KickReason.RESUME_UNKNOWN,
                    "this gateway keeps no sessions for resume", connection.settings().maxFrameSize()));
            return;
        }
        byte[] token = new byte[16];
        body.get(body.position(), token);
        long count = Frames.getInt64(body, body.position() + 16);
        beforeResume = state;
        state = RESUMING;
        connection.holdReading(SessionConnection.HOLD_RESUME);
        connection.resume(token, count);
    }

    /** The resume failed: the connection goes on as the new session it is, with the frames that waited. */
    void resumeRefused() {
        state = beforeResume;
        List<Object[]> held = takeWaiting();
        if (held != null) {
            deliver(held);
        }
    }

    /** The frames that waited for a login or a resume; none wait afterwards. */
    List<Object[]> takeWaiting() {
        List<Object[]> held = waiting;
        waiting = null;
        return held;
    }

    /** Frames that waited, in order, as if they came now (a frame may end the session: the rest is dropped). */
    void deliver(List<Object[]> held) {
        for (Object[] frame : held) {
            if (!connection.isAccepting()) {
                return;
            }
            session.frameIn((Integer) frame[0], ByteBuffer.wrap((byte[]) frame[1]));
        }
    }

    private void login(ByteBuffer body) {
        if (session.principal() != null) {
            connection.kick(KickReason.PROTOCOL_ERROR, "already logged in as " + session.principal());
            return;
        }
        Authenticator authenticator = logins.settings().authenticator();
        if (authenticator == null) {
            connection.kick(KickReason.UNAUTHENTICATED, "this gateway takes no login");
            return;
        }
        byte[] credential = new byte[body.remaining()];
        body.get(credential);
        state = AUTHENTICATING;
        connection.loginStarted();
        connection.holdReading(SessionConnection.HOLD_LOGIN);
        CompletionStage<String> verdict;
        try {
            verdict = authenticator.authenticate(credential);
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        verdict.whenComplete((principal, failure) -> connection.onLoop(() -> verdict(principal, failure)));
    }

    /** On the loop, once the authenticator has answered. */
    private void verdict(String principal, Throwable failure) {
        if (!connection.isLive()) {
            return; // closed meanwhile (the login timeout, a kick, the peer)
        }
        String refusal = failure != null ? refusal(failure) : problemWith(principal);
        if (refusal != null) {
            connection.kick(KickReason.UNAUTHENTICATED, refusal);
            return;
        }
        connection.loggedIn(principal);
        logins.loggedIn(session, principal).whenComplete((claimed, never) -> connection.onLoop(() -> open(principal)));
    }

    /** On the loop, once the directory recorded the login (or gave up): the session is told, then game code. */
    private void open(String principal) {
        if (!connection.isLive()) {
            return; // kicked meanwhile (a later login of the same principal, the peer)
        }
        state = OPEN;
        List<Object[]> held = takeWaiting();
        // as a callback: whatever throws from here on (onLogin, a held packet's handler) closes the session rather
        // than leave it logged in but held
        connection.callback("onLogin", () -> {
            connection.sendControl(SessionLayer.loginOk(session.id(), principal));
            session.onLogin();
            if (held != null) {
                deliver(held);
            }
        });
        connection.releaseReading(SessionConnection.HOLD_LOGIN);
    }

    private static String refusal(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof LoginRefusedException refused ? refused.getMessage() : "the credential was refused";
    }

    private static String problemWith(String principal) {
        if (principal == null || principal.isBlank()) {
            return "the credential names no principal";
        }
        if (principal.getBytes(StandardCharsets.UTF_8).length > MAX_PRINCIPAL_BYTES) {
            return "the principal is longer than " + MAX_PRINCIPAL_BYTES + " bytes";
        }
        return null;
    }
}
