package dev.servercore.core;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The open sessions of one listener or connector, by id. */
public final class SessionRegistry {

    private final Map<Integer, Session> sessions = new ConcurrentHashMap<>();

    void add(Session session) {
        sessions.put(session.id(), session);
    }

    void remove(Session session) {
        sessions.remove(session.id());
    }

    public Session get(int id) {
        return sessions.get(id);
    }

    public int count() {
        return sessions.size();
    }

    /** A live view; iteration is weakly consistent. */
    public Collection<Session> all() {
        return Collections.unmodifiableCollection(sessions.values());
    }

    /** Queues one encoded frame (or raw bytes) to every open session; the array is shared, not copied. */
    public int broadcast(byte[] data) {
        return Sessions.sendAll(sessions.values(), data);
    }

    long queuedBytes() {
        long total = 0;
        for (Session session : sessions.values()) {
            total += session.queuedBytes();
        }
        return total;
    }
}
