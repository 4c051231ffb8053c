package dev.servercore.core;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The per-address rules of one listener: at most {@code maxSessions} connections of one client address at
 * once (sessions, and connections still opening), and new connections at most at {@code rate} a second on
 * average, {@code burst} at once (a token bucket per address). An IPv6 client counts by its /64, what one
 * subscriber is usually given; exempt addresses are not counted at all.
 *
 * <p>Bounded: an address is tracked only while it has a connection or its bucket is refilling, and the table
 * holds at most {@code maxTracked} addresses. When it is full, addresses with no connection are forgotten (a
 * forgotten address starts again with a full bucket: only an attacker with that many addresses gains, and
 * one with that many is not stopped by rules per address anyway). Connections never outnumber the
 * listener's {@code max-sessions}, so {@code maxTracked} above that always leaves room.
 *
 * <p>The loops of a listener share it: one lock, taken on accepts and ends, never per packet.
 */
final class AddressLimits {

    private final int maxSessions;
    private final double tokensPerNano;
    private final double burst;
    private final Set<InetAddress> exempt;
    private final int maxTracked;
    private final Map<Long, Tracked> table = new HashMap<>();

    AddressLimits(int maxSessions, double ratePerSecond, int burst, Set<InetAddress> exempt, int maxTracked) {
        this.maxSessions = maxSessions;
        this.tokensPerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.exempt = Set.copyOf(exempt);
        this.maxTracked = maxTracked;
    }

    static AddressLimits of(ServerCoreProperties.PerAddress rules, int listenerMaxSessions) {
        // room for every connection's address, and for as many again (at most 4,096) still refilling
        int maxTracked = listenerMaxSessions + Math.min(listenerMaxSessions, 4_096);
        return new AddressLimits(rules.getMaxSessions(), rules.getConnectRate(), rules.getConnectBurst(),
                rules.exemptAddresses(), maxTracked);
    }

    /**
     * A new connection of {@code address}: null if it may go on (then {@link #release} it once it ends), else
     * why it is refused (nothing to release).
     */
    synchronized RefusalReason admit(InetAddress address, long now) {
        if (exempt.contains(address)) {
            return null;
        }
        Long key = key(address);
        Tracked tracked = table.get(key);
        if (tracked == null) {
            if (table.size() >= maxTracked) {
                forgetIdle(now);
            }
            tracked = new Tracked(burst, now);
            table.put(key, tracked);
        } else {
            refill(tracked, now);
        }
        if (maxSessions > 0 && tracked.connections >= maxSessions) {
            return RefusalReason.PER_ADDRESS;
        }
        if (tokensPerNano > 0) {
            if (tracked.tokens < 1) {
                return RefusalReason.CONNECT_RATE;
            }
            tracked.tokens -= 1;
        }
        tracked.connections++;
        return null;
    }

    /** A connection that {@link #admit} let in has ended. */
    synchronized void release(InetAddress address, long now) {
        if (exempt.contains(address)) {
            return;
        }
        Long key = key(address);
        Tracked tracked = table.get(key);
        if (tracked == null) {
            return;
        }
        tracked.connections--;
        refill(tracked, now);
        if (isIdle(tracked)) {
            table.remove(key);
        }
    }

    /** Addresses tracked now. */
    synchronized int tracked() {
        return table.size();
    }

    int maxTracked() {
        return maxTracked;
    }

    private void forgetIdle(long now) {
        int before = table.size();
        for (Iterator<Tracked> it = table.values().iterator(); it.hasNext(); ) {
            Tracked tracked = it.next();
            refill(tracked, now);
            if (isIdle(tracked)) {
                it.remove();
            }
        }
        if (table.size() == before) { // every address without a connection is still refilling: forget those too
            table.values().removeIf(tracked -> tracked.connections == 0);
        }
    }

    /** No connection, and a full bucket: the same as not being tracked at all. */
    private boolean isIdle(Tracked tracked) {
        return tracked.connections == 0 && (tokensPerNano == 0 || tracked.tokens >= burst);
    }

    private void refill(Tracked tracked, long now) {
        if (tokensPerNano > 0 && tracked.tokens < burst) {
            tracked.tokens = Math.min(burst, tracked.tokens + (now - tracked.refilledAt) * tokensPerNano);
        }
        tracked.refilledAt = now;
    }

    /**
     * An IPv4 address as it is; an IPv6 address by its first 64 bits. The two cannot meet: an IPv6 prefix whose
     * first 32 bits are 0 lies in ::/8, which is reserved and never a client's (IPv4-mapped addresses arrive as
     * IPv4).
     */
    static long key(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return (bytes[0] & 0xFFL) << 24 | (bytes[1] & 0xFFL) << 16 | (bytes[2] & 0xFFL) << 8 | bytes[3] & 0xFFL;
        }
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = prefix << 8 | (bytes[i] & 0xFFL);
        }
        return prefix;
    }

    private static final class Tracked {
        int connections;
        double tokens;
        long refilledAt;

        Tracked(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }
}
