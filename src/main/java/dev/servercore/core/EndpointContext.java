package dev.servercore.core;

import java.util.concurrent.atomic.AtomicInteger;

/** What the sessions of one listener or connector share: its name, settings, registry and meters. */
final class EndpointContext {

    private final String name;
    private final boolean server;
    private final SessionSettings settings;
    private final SessionRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private SessionMetrics metrics;
    private volatile SessionIds ids = SessionIds.sequential();
    private volatile Logins logins = new Logins(LoginSettings.none());

    EndpointContext(String name, boolean server, SessionSettings settings, SessionRegistry registry) {
        this.name = name;
        this.server = server;
        this.settings = settings;
        this.registry = registry;
    }

    void metrics(SessionMetrics metrics) {
        this.metrics = metrics;
    }

    void ids(SessionIds ids) {
        this.ids = ids;
    }

    void logins(LoginSettings settings) {
        this.logins = new Logins(settings);
    }

    Logins logins() {
        return logins;
    }

    /** The next id that no open session of the endpoint has (a sequence that came round skips them). */
    int nextId() {
        int id;
        do {
            id = ids.next();
        } while (registry.get(id) != null);
        return id;
    }

    String name() {
        return name;
    }

    /** A listener's: its sessions are the server side of PROTOCOL.md (they send S_Kick, S_LoginOk, ...). */
    boolean isServer() {
        return server;
    }

    SessionSettings settings() {
        return settings;
    }

    SessionRegistry registry() {
        return registry;
    }

    SessionMetrics metrics() {
        return metrics;
    }

    /** Takes one of the endpoint's session places; false (and counted as refused) when all are taken. */
    boolean reserveSession() {
        int now;
        do {
            now = active.get();
            if (now >= settings.maxSessions()) {
                metrics.refused();
                return false;
            }
        } while (!active.compareAndSet(now, now + 1));
        return true;
    }

    /** A reserved place whose session never opened. */
    void releaseSession() {
        active.decrementAndGet();
    }

    void sessionOpened() {
        metrics.opened();
    }

    void sessionEnded(Session session, CloseReason reason) {
        registry.remove(session);
        active.decrementAndGet();
        metrics.closed(reason);
    }

    int active() {
        return active.get();
    }
}
