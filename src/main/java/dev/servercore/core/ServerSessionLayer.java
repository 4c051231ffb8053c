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
 * Resume is not offered: {@code C_ResumeEnable} and {@code C_Resume} are answered {@code S_ResumeFailed}; before a
 * required login only one {@code C_Resume} is (anything else but {@code C_Login} is unauthenticated).
 * Loop only.
 */
final class ServerSessionLayer {

    private static final int LOGIN_DUE = 0;
    private static final int AUTHENTICATING = 1;
    private static final int OPEN = 2;
    /** Longest principal an authenticator may give (PROTOCOL.md sends it back in S_LoginOk). */
    private static final int MAX_PRINCIPAL_BYTES = 256;

    private final PacketSession session;
    private final SessionConnection connection;
    private final Logins logins;
    private int state;
    /** A C_Resume came before the login (only one may). */
    private boolean resumeTried;
    /** Frames that came after C_Login in its read (id, then body), for after the login. */
    private List<Object[]> waiting;

    ServerSessionLayer(PacketSession session, SessionConnection connection, Logins logins) {
        this.session = session;
        this.connection = connection;
        this.logins = logins;
        this.state = logins.settings().required() ? LOGIN_DUE : OPEN;
    }

    /** Whether every frame, not only the session layer's, comes here. */
    boolean gates() {
        return state != OPEN;
    }

    void onFrame(int packetId, ByteBuffer body) {
        if (state == AUTHENTICATING) {
            byte[] copy = new byte[body.remaining()];
            body.get(copy);
            if (waiting == null) {
                waiting = new ArrayList<>();
            }
            waiting.add(new Object[] {packetId, copy});
            return;
        }
        boolean firstResume = packetId == SessionLayer.C_RESUME && !resumeTried;
        if (state == LOGIN_DUE && packetId != SessionLayer.C_LOGIN && !firstResume) {
            // PROTOCOL.md: C_Login or C_Resume first; after a failed resume, the login
            connection.kick(KickReason.UNAUTHENTICATED, "log in first: C_Login must be the first packet");
            return;
        }
        switch (packetId) {
            case SessionLayer.C_LOGIN -> login(body);
            case SessionLayer.C_RESUME_ENABLE, SessionLayer.C_RESUME -> {
                resumeTried = true;
                connection.send(SessionLayer.resumeFailed(
                        KickReason.RESUME_UNKNOWN, "this gateway does not keep sessions for resume",
                        connection.settings().maxFrameSize()));
            }
            case SessionLayer.C_ACK -> {
                // nothing is numbered while resume is off
            }
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
        if (!connection.isAccepting()) {
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
        if (!connection.isAccepting()) {
            return; // kicked meanwhile (a later login of the same principal, the peer)
        }
        state = OPEN;
        List<Object[]> frames = waiting;
        waiting = null;
        // as a callback: whatever throws from here on (onLogin, a held packet's handler) closes the session rather
        // than leave it logged in but held
        connection.callback("onLogin", () -> {
            connection.send(SessionLayer.loginOk(session.id(), principal));
            session.onLogin();
            if (frames != null) {
                for (Object[] frame : frames) {
                    if (!connection.isAccepting()) {
                        return;
                    }
                    session.frameIn((Integer) frame[0], ByteBuffer.wrap((byte[]) frame[1]));
                }
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
