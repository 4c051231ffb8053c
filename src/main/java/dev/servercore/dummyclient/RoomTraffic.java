package dev.servercore.dummyclient;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the sessions of the chat and move scenarios share and saw: which session ids are in which room
 * (learnt from each S_JoinedRoom), what was sent, what arrived, and anything out of place (an entry or a
 * chat from a session not in the room, a session's own position going backwards). Thread-safe.
 */
final class RoomTraffic {

    private final int rooms;
    private final AtomicInteger sessions = new AtomicInteger();
    private final Map<String, Set<Long>> members = new ConcurrentHashMap<>();
    private final AtomicInteger joined = new AtomicInteger();
    final LongAdder sent = new LongAdder();
    private final Map<String, LongAdder> chatsByRoom = new ConcurrentHashMap<>();
    final LongAdder received = new LongAdder();
    final LongAdder outOfPlace = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder unexpectedDisconnects = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder outOfOrder = new LongAdder();
    private final PercentileRecorder latencies = new PercentileRecorder();
    /** Delivery to another member, by whether both sessions are on one gateway node (their id's slot). */
    private final PercentileRecorder sameNode = new PercentileRecorder();
    private final PercentileRecorder crossNode = new PercentileRecorder();
    private final Map<Integer, RoomPlayer> byIndex = new ConcurrentHashMap<>();
    private volatile boolean measuring;
    /** Sequence numbers are checked once every player has joined, before anyone moves or chats (not continuous). */
    private volatile boolean checkingSequences;
    private volatile Map<String, int[]> frozenMembers;
    private final Timer seen;

    RoomTraffic(int rooms, MeterRegistry meters) {
        this.rooms = rooms;
        FunctionCounter.builder("servercore.dummyclient.room.sent", sent, LongAdder::sum)
                .description("Moves or chats the dummy client's sessions sent").register(meters);
        FunctionCounter.builder("servercore.dummyclient.room.received", received, LongAdder::sum)
                .description("Move entries or chats the dummy client's sessions received").register(meters);
        FunctionCounter.builder("servercore.dummyclient.room.out_of_place", outOfPlace, LongAdder::sum)
                .description("Entries or chats from outside the receiver's room").register(meters);
        FunctionCounter.builder("servercore.dummyclient.room.duplicated", duplicated, LongAdder::sum)
                .description("Chats or move entries received twice").register(meters);
        FunctionCounter.builder("servercore.dummyclient.room.out_of_order", outOfOrder, LongAdder::sum)
                .description("Chats or move entries received after a later one of the same sender").register(meters);
        seen = Timer.builder("servercore.dummyclient.seen")
                .description("From a move (or chat) sent to its mover seeing it (every member getting it)")
                .publishPercentileHistogram().register(meters);
    }

    /** The next session's number, and with it its room. */
    int nextIndex(RoomPlayer player) {
        int index = sessions.getAndIncrement();
        byIndex.put(index, player);
        return index;
    }

    /** The session is gone (continuous mode makes new ones as they reconnect): its moves are no longer timed. */
    void forget(int index) {
        byIndex.remove(index);
    }

    /** When the session of that index sent its move {@code seq} (System.nanoTime), or 0 if unknown. */
    long moveSentAt(int index, int seq) {
        RoomPlayer mover = byIndex.get(index);
        return mover == null ? 0 : mover.sentAt(seq);
    }

    /**
     * A chat or move of {@code senderId} reached {@code receiverId} after {@code nanos}. In a cluster a
     * session id carries its node's slot (id >>> 24): the two are on one node when their slots match.
     */
    void delivered(long senderId, long receiverId, long nanos) {
        if (measuring && nanos > 0) {
            long micros = Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), TimeUnit.SECONDS.toMicros(60));
            ((senderId >>> 24) == (receiverId >>> 24) ? sameNode : crossNode).record(micros);
        }
    }

    String roomOf(int index) {
        return "room-" + (index % rooms);
    }

    /** Whether the players of these two indices are in one room. */
    boolean sameRoom(int index, int other) {
        return other >= 0 && index % rooms == other % rooms;
    }

    /** A player's place among the players of its room: what receivers track its sequence numbers by. */
    int slotOf(int index) {
        return index / rooms;
    }

    void checkSequences() {
        checkingSequences = true;
    }

    boolean isCheckingSequences() {
        return checkingSequences;
    }

    void count(ChatSequences.Outcome outcome) {
        switch (outcome) {
            case DUPLICATE -> duplicated.increment();
            case OUT_OF_ORDER -> outOfOrder.increment();
            case IN_ORDER -> {
            }
        }
    }

    void count(MoveSequences.Outcome outcome) {
        switch (outcome) {
            case DUPLICATE -> duplicated.increment();
            case OUT_OF_ORDER -> outOfOrder.increment();
            case NEWER -> {
            }
        }
    }

    /** Chats not (yet) received: of every sender, by every other player of its room still playing, itself included. */
    long chatsMissed() {
        long missed = 0;
        for (List<RoomPlayer> room : playersByRoom()) {
            for (RoomPlayer receiver : room) {
                if (!receiver.isLost()) {
                    for (RoomPlayer sender : room) {
                        missed += sender.chatsMissedBy(receiver);
                    }
                }
            }
        }
        return missed;
    }

    /** Which chats were missed, by whom, for the log: at most {@code limit} lines of receiver, sender and numbers. */
    List<String> chatsMissedDetails(int limit) {
        List<String> lines = new ArrayList<>();
        for (List<RoomPlayer> room : playersByRoom()) {
            for (RoomPlayer receiver : room) {
                for (RoomPlayer sender : room) {
                    if (lines.size() < limit && !receiver.isLost() && sender.chatsMissedBy(receiver) > 0) {
                        lines.add("player " + receiver.index() + " missed chats of player " + sender.index() + ": "
                                + sender.describeChatsMissedBy(receiver));
                    }
                }
            }
        }
        return lines;
    }

    /** Pairs of a mover and a player of its room still playing that has not (yet) seen the mover's last move. */
    long lastMovesMissed() {
        long missed = 0;
        for (List<RoomPlayer> room : playersByRoom()) {
            for (RoomPlayer receiver : room) {
                if (!receiver.isLost()) {
                    for (RoomPlayer mover : room) {
                        missed += mover.lastMoveSeenBy(receiver) ? 0 : 1;
                    }
                }
            }
        }
        return missed;
    }

    private Collection<List<RoomPlayer>> playersByRoom() {
        Map<Integer, List<RoomPlayer>> byRoom = new java.util.HashMap<>();
        byIndex.forEach((index, player) -> byRoom.computeIfAbsent(index % rooms, r -> new ArrayList<>()).add(player));
        return byRoom.values();
    }

    void joined(String room, long sessionId) {
        members.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(sessionId);
        joined.incrementAndGet();
    }

    int joinedCount() {
        return joined.get();
    }

    boolean isMember(String room, long sessionId) {
        Map<String, int[]> frozen = frozenMembers;
        if (frozen != null) {
            int[] ids = frozen.get(room);
            return ids != null && sessionId <= Integer.MAX_VALUE && Arrays.binarySearch(ids, (int) sessionId) >= 0;
        }
        Set<Long> ids = members.get(room);
        return ids != null && ids.contains(sessionId);
    }

    /**
     * Once every session has joined, membership no longer changes: a sorted array per room answers
     * {@link #isMember} for a million entries a second without boxing an id each (ids of a cluster are
     * sparse: slot << 24 | n).
     */
    void freezeMembers() {
        Map<String, int[]> frozen = new java.util.HashMap<>();
        members.forEach((room, ids) -> frozen.put(room, ids.stream().mapToInt(Math::toIntExact).sorted().toArray()));
        frozenMembers = Map.copyOf(frozen);
    }

    int roomSize(String room) {
        Set<Long> ids = members.get(room);
        return ids == null ? 0 : ids.size();
    }

    void chatSent(String room) {
        chatsByRoom.computeIfAbsent(room, r -> new LongAdder()).increment();
    }

    /** Chat deliveries due: every chat reaches every member of its room, the sender included. */
    long expectedChatDeliveries() {
        long expected = 0;
        for (Map.Entry<String, LongAdder> chats : chatsByRoom.entrySet()) {
            expected += chats.getValue().sum() * roomSize(chats.getKey());
        }
        return expected;
    }

    void latency(long nanos) {
        seen.record(nanos, TimeUnit.NANOSECONDS);
        if (measuring) {
            latencies.record(Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), TimeUnit.SECONDS.toMicros(60)));
        }
    }

    void measuring(boolean on) {
        if (on) {
            latencies.reset();
            sameNode.reset();
            crossNode.reset();
        }
        measuring = on;
    }

    boolean isClean() {
        return outOfPlace.sum() == 0 && errors.sum() == 0 && unexpectedDisconnects.sum() == 0
                && duplicated.sum() == 0 && outOfOrder.sum() == 0;
    }

    /** Delivery to other members, sessions on the same node and on another node apart (cluster runs). */
    String nodeFigures() {
        PercentileRecorder.Snapshot same = sameNode.snapshot();
        PercentileRecorder.Snapshot cross = crossNode.snapshot();
        return String.format(Locale.ROOT, "same_node_n=%d same_node_p50_us=%d same_node_p99_us=%d cross_node_n=%d "
                + "cross_node_p50_us=%d cross_node_p99_us=%d", same.count(), same.valueAt(50),
                same.valueAt(99), cross.count(), cross.valueAt(50),
                cross.valueAt(99));
    }

    String latencyFigures(String name) {
        PercentileRecorder.Snapshot h = latencies.snapshot();
        return String.format(Locale.ROOT, "%s_p50_us=%d %s_p99_us=%d %s_max_us=%d", name, h.valueAt(50),
                name, h.valueAt(99), name, h.max());
    }
}
