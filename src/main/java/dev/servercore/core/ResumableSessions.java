package dev.servercore.core;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resumable sessions of one listener, by token, and the bounds on those that wait detached: how many, and the
 * bytes they hold. Tokens are 128 random bits; a session is found by the first 64 of them and then compared in
 * constant time on all 128, and a token is forgotten when its session ends. Any thread.
 */
final class ResumableSessions {

    private final ResumeSettings settings;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Session> byToken = new ConcurrentHashMap<>();
    private final AtomicInteger detached = new AtomicInteger();
    private final AtomicLong detachedBytes = new AtomicLong();

    ResumableSessions(ResumeSettings settings) {
        this.settings = settings;
    }

    /** A token no resumable session of the listener has. */
    byte[] newToken() {
        byte[] token = new byte[16];
        do {
            random.nextBytes(token);
        } while (byToken.containsKey(prefix(token)));
        return token;
    }

    void add(Session session, byte[] token) {
        byToken.put(prefix(token), session);
    }

    void remove(Session session) {
        byToken.remove(prefix(session.resumption.token()), session);
    }

    /** The session whose token this is, or null. */
    Session find(byte[] token) {
        Session session = byToken.get(prefix(token));
        // the map was written after the session's resumption was set: its token is safely visible here
        return session != null && MessageDigest.isEqual(session.resumption.token(), token) ? session : null;
    }

    /**
     * A resumable session's connection dropped: whether it may wait detached (false: the gateway holds enough). A
     * session taken over by a resume at once is admitted whatever the bound.
     */
    boolean admitDetached(boolean takenOver) {
        if (takenOver) {
            detached.incrementAndGet();
            return true;
        }
        int now;
        do {
            now = detached.get();
            if (now >= settings.maxDetached()) {
                return false;
            }
        } while (!detached.compareAndSet(now, now + 1));
        return true;
    }

    /** A detached session ended or resumed. */
    void detachedEnded() {
        detached.decrementAndGet();
    }

    /** Detached sessions hold {@code delta} bytes more; whether they now hold more than the gateway allows. */
    boolean heldChanged(long delta) {
        return detachedBytes.addAndGet(delta) > settings.maxDetachedBytes() && delta > 0;
    }

    int detachedCount() {
        return detached.get();
    }

    long detachedBytes() {
        return detachedBytes.get();
    }

    private static long prefix(byte[] token) {
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = prefix << 8 | (token[i] & 0xFF);
        }
        return prefix;
    }
}
