package dev.servercore.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The logged-in sessions of one listener, by principal: a principal that logs in again displaces its older
 * session ({@code S_Kick(duplicate_login)}), here or, through the {@link LoginDirectory}, on another gateway.
 */
final class Logins {

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
            if (settings.directory() != null) {
                settings.directory().claimed(name, session.id());
            }
            return session;
        });
        if (older[0] != null && older[0] != session) {
            older[0].kick(KickReason.DUPLICATE_LOGIN, "the same principal logged in again");
        }
        session.whenEnded(() -> byPrincipal.computeIfPresent(principal, (name, current) -> {
            if (current != session) {
                return current;
            }
            if (settings.directory() != null) {
                settings.directory().released(name, session.id());
            }
            return null;
        }));
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
