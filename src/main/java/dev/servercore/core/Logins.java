package dev.servercore.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The logged-in sessions of one listener, by principal: a principal that logs in again displaces its older
 * session ({@code S_Kick(duplicate_login)}), here or, through the {@link LoginDirectory}, on another gateway.
 */
final class Logins {

    private static final Log log = LogFactory.getLog(Logins.class);
    private static final ThrottledLog directoryFailures = new ThrottledLog(log);

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

    /** The session has logged in as {@code principal} (on its loop): an older session of it is kicked. */
    void loggedIn(Session session, String principal) {
        Session[] older = new Session[1];
        // the directory hears of one principal's logins in their order: inside the map's lock for that key
        byPrincipal.compute(principal, (name, current) -> {
            older[0] = current;
            tellDirectory(directory -> directory.claimed(name, session.id()));
            return session;
        });
        if (older[0] != null && older[0] != session) {
            older[0].kick(KickReason.DUPLICATE_LOGIN, "the same principal logged in again");
        }
        session.whenEnded(() -> byPrincipal.computeIfPresent(principal, (name, current) -> {
            if (current != session) {
                return current;
            }
            tellDirectory(directory -> directory.released(name, session.id()));
            return null;
        }));
    }

    /** A directory that fails costs the cluster-wide check, never the login: this node's duplicates are still found. */
    private void tellDirectory(java.util.function.Consumer<LoginDirectory> call) {
        LoginDirectory directory = settings.directory();
        if (directory == null) {
            return;
        }
        try {
            call.accept(directory);
        } catch (RuntimeException e) {
            directoryFailures.warn(() -> "The login directory failed (" + e + "): duplicate logins are found on this "
                    + "gateway only until it works again");
        }
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
