package dev.servercore.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The logged-in sessions of one listener, by principal: a principal that logs in again displaces its older
 * session ({@code S_Kick(duplicate_login)}), here or, through the {@link LoginDirectory}, on another gateway.
 */
final class Logins {

    private static final Log log = LogFactory.getLog(Logins.class);
    private static final ThrottledLog directoryFailures = new ThrottledLog(log);
    /** The longest a login waits for the directory to record its claim before it is answered anyway. */
    static final Duration CLAIM_WAIT = Duration.ofSeconds(1);

    private final LoginSettings settings;
    private final Map<String, Session> byPrincipal = new ConcurrentHashMap<>();

    Logins(LoginSettings settings) {
        this.settings = settings;
        if (settings.directory() != null) {
            settings.directory().attach(this::displace);
        }
    }

    LoginSettings settings() {
        return settings;
    }

    /**
     * The session has logged in as {@code principal} (on its loop): an older session of it is kicked. The stage
     * completes (never exceptionally) once the directory recorded the claim, or gave up, or {@link #CLAIM_WAIT}.
     */
    CompletionStage<?> loggedIn(Session session, String principal) {
        Session[] older = new Session[1];
        CompletableFuture<?>[] claim = new CompletableFuture<?>[1];
        // the directory hears of one principal's logins in their order: inside the map's lock for that key
        byPrincipal.compute(principal, (name, current) -> {
            older[0] = current;
            claim[0] = tellDirectory(directory -> directory.claimed(name, session.id()));
            return session;
        });
        if (older[0] != null && older[0] != session) {
            older[0].kick(KickReason.DUPLICATE_LOGIN, "the same principal logged in again");
        }
        session.whenEnded(() -> byPrincipal.computeIfPresent(principal, (name, current) -> {
            if (current != session) {
                return current;
            }
            tellDirectory(directory -> {
                directory.released(name, session.id());
                return null;
            });
            return null;
        }));
        return claim[0];
    }

    /** A directory that fails costs the cluster-wide check, never the login: this node's duplicates are still found. */
    private CompletableFuture<?> tellDirectory(java.util.function.Function<LoginDirectory, CompletionStage<?>> call) {
        LoginDirectory directory = settings.directory();
        if (directory == null) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            CompletionStage<?> done = call.apply(directory);
            if (done == null) {
                return CompletableFuture.completedFuture(null);
            }
            return done.toCompletableFuture().exceptionally(failure -> {
                directoryFailed(failure);
                return null;
            }).completeOnTimeout(null, CLAIM_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            directoryFailed(e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private static void directoryFailed(Throwable e) {
        directoryFailures.warn(() -> "The login directory failed (" + e + "): duplicate logins are found on this "
                + "gateway only until it works again");
    }

    /** Another gateway's session took the principal: this node's session of it, if it is that one, goes. */
    private void displace(String principal, int sessionId) {
        Session current = byPrincipal.get(principal);
        if (current != null && current.id() == sessionId) {
            current.kick(KickReason.DUPLICATE_LOGIN, "the same principal logged in on another gateway");
        }
    }

    /** The session logged in as {@code principal}, or null. */
    Session holder(String principal) {
        return byPrincipal.get(principal);
    }
}
