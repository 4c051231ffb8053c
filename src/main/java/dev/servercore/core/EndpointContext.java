package dev.servercore.core;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** What the sessions of one listener or connector share: its name, settings, registry and meters. */
final class EndpointContext {

    private static final Log log = LogFactory.getLog(EndpointContext.class);

    private final String name;
    private final boolean server;
    private final SessionSettings settings;
    private final SessionRegistry registry;
    /** Places taken: sessions, and connections still opening (the max-sessions limit counts both). */
    private final AtomicInteger reserved = new AtomicInteger();
    /** Sessions open (onConnected has run, onDisconnected has not). */
    private final AtomicInteger open = new AtomicInteger();
    /** Refusals, which a peer can provoke at will: one line a second at most, whatever their reasons. */
    private final ThrottledLog refusals = new ThrottledLog(log);
    private SessionMetrics metrics;
    private volatile SessionIds ids = SessionIds.sequential();
    private volatile Logins logins = new Logins(LoginSettings.none());
    private final ResumableSessions resumable;

    EndpointContext(String name, boolean server, SessionSettings settings, SessionRegistry registry) {
        this.name = name;
        this.server = server;
        this.settings = settings;
        this.registry = registry;
        this.resumable = new ResumableSessions(settings.resume());
    }

    ResumableSessions resumable() {
        return resumable;
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

    /** Takes one of the endpoint's places for a new connection; false when all are taken. */
    boolean reserveSession() {
        int now;
        do {
            now = reserved.get();
            if (now >= settings.maxSessions()) {
                return false;
            }
        } while (!reserved.compareAndSet(now, now + 1));
        return true;
    }

    /** A reserved place whose session never opened. */
    void releaseSession() {
        reserved.decrementAndGet();
    }

    /**
     * A connection closed before its session opened: counted by reason, and logged at most once a second (WARN
     * when the endpoint is full, INFO for what one peer did).
     */
    void refused(RefusalReason reason, InetSocketAddress client, Supplier<String> why) {
        metrics.refused(reason);
        Supplier<String> line = () -> name + ": refused a connection from " + client + " (" + reason.tag() + ")"
                + (why == null ? "" : ": " + why.get());
        if (reason == RefusalReason.MAX_SESSIONS || reason == RefusalReason.TLS_BUSY) {
            refusals.warn(line);
        } else {
            refusals.info(line);
        }
    }

    void sessionOpened() {
        open.incrementAndGet();
        metrics.opened();
    }

    void sessionEnded(Session session, CloseReason reason) {
        registry.remove(session);
        open.decrementAndGet();
        reserved.decrementAndGet();
        metrics.closed(reason);
    }

    /** Sessions and connections still opening: what a stop waits for. */
    int active() {
        return reserved.get();
    }

    /** Sessions open now. */
    int openSessions() {
        return open.get();
    }

    /** Connections accepted (or connected) whose session has not opened yet. */
    int opening() {
        return Math.max(0, reserved.get() - open.get());
    }
}
