package dev.servercore.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The room channels of one node, kept subscribed in Redis by a thread of their own that never waits on Redis:
 * the rooms opened and closed since the last pass go out as one SUBSCRIBE and one UNSUBSCRIBE (a room opened and
 * closed between two passes costs Redis nothing), Redis' confirmations come back as events of the subscription's
 * listener, and a joiner's count of the other nodes' members is read once its room's channel is confirmed (one
 * read per room and pass, whatever the number of joiners). However many rooms a flood of joins opens, nothing
 * here holds up the heartbeat, which runs on a thread and a connection of its own.
 */
final class RoomSubscriptions {

    private static final Log log = LogFactory.getLog(RoomSubscriptions.class);
    /** Channels in one SUBSCRIBE or UNSUBSCRIBE. */
    private static final int CHANNELS_PER_COMMAND = 1000;

    /** What the subscriptions need of the backplane around them. */
    interface Owner {
        /** The command connection (replaced after a reconnect). */
        RedisClusterAsyncCommands<byte[], byte[]> commands();

        /** The last heartbeat reached Redis: commands are worth sending. */
        boolean reachable();

        /** Joiners get the other nodes' counts only while connected. */
        boolean connected();

        /** Every room wanted at the last reconcile is confirmed subscribed. */
        void subscriptionsConfirmed();

        void trouble(Throwable failure);
    }

    private final Owner owner;
    private final ClusterKeys keys;
    private final byte[] nodeId;
    private final ClusterProperties properties;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile ExecutorService thread;

    // The thread's own (subscribed is read by tests too).
    private StatefulRedisPubSubConnection<byte[], byte[]> subscription;
    /** Rooms this node has: their channels should be subscribed. */
    private final Set<String> wanted = new HashSet<>();
    /** Channels whose subscribe Redis confirmed, and not unsubscribed since (Lettuce renews them itself). */
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    /** SUBSCRIBEs sent and not confirmed, with when (nanos): retried at a reconcile once older than the join timeout. */
    private final Map<String, Long> subscribing = new HashMap<>();
    private final Set<String> unsubscribing = new HashSet<>();
    private final Set<String> toSubscribe = new LinkedHashSet<>();
    private final Set<String> toUnsubscribe = new LinkedHashSet<>();
    /** Joiners of rooms whose channel is not confirmed yet, and joiners whose count is to be read. */
    private final Map<String, List<CompletableFuture<Integer>>> waiting = new HashMap<>();
    private final Map<String, List<CompletableFuture<Integer>>> counting = new HashMap<>();
    /**
     * Rooms gone from this node while the backplane was connected, whose count is still to be deleted, with when they went
     * (nanos). A room that goes while Redis is away is not noted (a flood of fresh rooms during an outage must not
     * grow this), and one whose delete keeps failing is forgotten after twice node-timeout: both are left to the
     * sweep of the node's room set in Redis ({@link ClusterKeys#nodeRooms}), which runs after a reconnect and after
     * such a forgetting.
     */
    private final Map<String, Long> countsToDelete = new ConcurrentHashMap<>(); // read by tests
    /** Of those, the ones whose HDEL is on its way (sent again by a reconcile if it never answers). */
    private final Set<String> deleting = new HashSet<>();
    /** A sweep of the node's room set is due at the next reconcile; one is running. */
    private boolean sweepDue;
    private boolean sweeping;
    /** Rooms wanted at the last reconcile and not confirmed yet; null when nothing is awaited. */
    private Set<String> awaited;

    RoomSubscriptions(Owner owner, ClusterKeys keys, byte[] nodeId, ClusterProperties properties) {
        this.owner = owner;
        this.keys = keys;
        this.nodeId = nodeId;
        this.properties = properties;
    }

    void start(StatefulRedisPubSubConnection<byte[], byte[]> connection) {
        subscription = connection;
        thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "servercore-backplane");
            t.setDaemon(true);
            return t;
        });
    }

    void stop() {
        ExecutorService stopping = thread;
        thread = null;
        if (stopping != null) {
            stopping.shutdownNow();
        }
        subscribed.clear();
    }

    int countsToDeleteCount() {
        return countsToDelete.size();
    }

    int subscribedCount() {
        return subscribed.size();
    }

    // ---- from any thread: each call is a task of the subscriptions' thread

    void opened(String room) {
        post(() -> {
            wanted.add(room);
            countsToDelete.remove(room); // a delete still on its way may take the new count: a reconcile rewrites it
            toUnsubscribe.remove(room);
            if (!subscribed.contains(room) && !subscribing.containsKey(room)) {
                toSubscribe.add(room);
            }
        });
    }

    void closed(String room) {
        post(() -> {
            wanted.remove(room);
            toSubscribe.remove(room);
            // noted only while connected: the backplane turns DISCONNECTED before its next heartbeat finds Redis
            // unreachable, and a churn of rooms in between must not grow this (the sweep finds those counts)
            if (owner.connected()) {
                countsToDelete.put(room, System.nanoTime());
            } else {
                sweepDue = true;
            }
            if ((subscribed.contains(room) || subscribing.containsKey(room)) && !unsubscribing.contains(room)) {
                toUnsubscribe.add(room);
            }
            List<CompletableFuture<Integer>> joiners = waiting.remove(room);
            if (joiners != null) {
                joiners.forEach(joiner -> joiner.complete(0));
            }
            if (awaited != null) {
                awaited.remove(room);
                checkAwaited();
            }
        });
    }

    /** Completes once the room's channel is confirmed, with the other nodes' members (0 when unknown). */
    CompletableFuture<Integer> joining(String room) {
        CompletableFuture<Integer> others = new CompletableFuture<>();
        if (!owner.connected()) {
            others.complete(0);
            return others;
        }
        post(() -> {
            if (subscribed.contains(room)) {
                counting.computeIfAbsent(room, r -> new ArrayList<>(2)).add(others);
            } else {
                waiting.computeIfAbsent(room, r -> new ArrayList<>(2)).add(others);
            }
        });
        return others;
    }

    /** From the subscription's listener: Redis confirmed a SUBSCRIBE (ours, or Lettuce's after a reconnect). */
    void confirmed(String room) {
        post(() -> {
            subscribing.remove(room);
            subscribed.add(room);
            if (!wanted.contains(room) && !unsubscribing.contains(room)) {
                toUnsubscribe.add(room); // closed meanwhile, or renewed by Lettuce although this node left it
            }
            List<CompletableFuture<Integer>> joiners = waiting.remove(room);
            if (joiners != null) {
                counting.computeIfAbsent(room, r -> new ArrayList<>(joiners.size())).addAll(joiners);
            }
            if (awaited != null) {
                awaited.remove(room);
                checkAwaited();
            }
        });
    }

    /** From the subscription's listener: Redis confirmed an UNSUBSCRIBE. */
    void unconfirmed(String room) {
        post(() -> {
            subscribed.remove(room);
            unsubscribing.remove(room);
            if (wanted.contains(room) && !subscribing.containsKey(room)) {
                toSubscribe.add(room); // opened again meanwhile
            }
        });
    }

    /**
     * From the heartbeat, once it reached Redis: what this node has, made true in Redis. Subscribes that went
     * unconfirmed are sent again, channels of rooms gone are unsubscribed, the counts of the node's rooms are
     * written and those of rooms it no longer has deleted.
     */
    void reconcile(Map<String, Integer> members) {
        post(() -> {
            long stale = System.nanoTime() - properties.joinTimeout().toNanos();
            subscribing.values().removeIf(sentAt -> sentAt - stale < 0);
            unsubscribing.clear();
            deleting.clear();
            for (String room : subscribed) {
                if (!wanted.contains(room)) {
                    toUnsubscribe.add(room);
                }
            }
            awaited = new HashSet<>();
            for (String room : wanted) {
                if (!subscribed.contains(room)) {
                    awaited.add(room);
                    if (!subscribing.containsKey(room)) {
                        toSubscribe.add(room);
                    }
                }
            }
            checkAwaited();
            RedisClusterAsyncCommands<byte[], byte[]> redis = owner.commands();
            long expiry = properties.nodeTimeout().toMillis() * 2;
            try {
                for (Map.Entry<String, Integer> room : members.entrySet()) {
                    byte[] key = keys.roomMembers(room.getKey());
                    redis.hset(key, nodeId, Integer.toString(room.getValue()).getBytes(StandardCharsets.UTF_8))
                            .whenComplete(this::failed);
                    redis.pexpire(key, expiry).whenComplete(this::failed);
                }
                byte[] roomSet = keys.nodeRooms(nodeId);
                inBatches(members.keySet(), KeyOrChannel.NAME, names -> redis.sadd(roomSet, names)
                        .whenComplete(this::failed));
                redis.pexpire(roomSet, expiry).whenComplete(this::failed);
                if (sweepDue && !sweeping) {
                    sweepDue = false;
                    sweeping = true;
                    sweep(ScanCursor.INITIAL);
                }
            } catch (RuntimeException e) {
                owner.trouble(e);
            }
        });
    }

    /** After a reconnect: a new subscription, on which every room is to be subscribed anew. */
    void replace(StatefulRedisPubSubConnection<byte[], byte[]> connection) {
        post(() -> {
            sweepDue = true;
            StatefulRedisPubSubConnection<byte[], byte[]> old = subscription;
            subscription = connection;
            subscribed.clear();
            subscribing.clear();
            unsubscribing.clear();
            awaited = null;
            old.closeAsync();
        });
    }

    // ---- the thread

    private void post(Runnable task) {
        tasks.add(task);
        if (draining.compareAndSet(false, true)) {
            ExecutorService running = thread;
            if (running == null) {
                draining.set(false);
                tasks.clear(); // stopped
                return;
            }
            try {
                running.execute(this::drain);
            } catch (RejectedExecutionException stopping) {
                draining.set(false);
            }
        }
    }

    /** Every task posted so far, then what they left to send to Redis, in as few commands as it takes. */
    private void drain() {
        try {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    owner.trouble(e);
                    log.error("Backplane subscription task failed", e);
                }
            }
            send();
        } finally {
            draining.set(false);
            if (!tasks.isEmpty() && draining.compareAndSet(false, true)) {
                ExecutorService running = thread;
                if (running == null) {
                    draining.set(false);
                } else {
                    try {
                        running.execute(this::drain);
                    } catch (RejectedExecutionException stopping) {
                        draining.set(false);
                    }
                }
            }
        }
    }

    private void send() {
        if (!owner.reachable()) {
            toSubscribe.clear(); // the next reconcile, once Redis answers, works out what is missing
            toUnsubscribe.clear();
            for (List<CompletableFuture<Integer>> joiners : waiting.values()) {
                joiners.forEach(joiner -> joiner.complete(0));
            }
            waiting.clear();
            answerWithoutCounts();
            return;
        }
        try {
            if (!toUnsubscribe.isEmpty()) {
                unsubscribingNow(toUnsubscribe);
                inBatches(toUnsubscribe, KeyOrChannel.CHANNEL, channels -> subscription.async().unsubscribe(channels)
                        .whenComplete(this::failed));
                toUnsubscribe.clear();
            }
            if (!toSubscribe.isEmpty()) {
                long now = System.nanoTime();
                for (String room : toSubscribe) {
                    subscribing.put(room, now);
                }
                inBatches(toSubscribe, KeyOrChannel.CHANNEL, channels -> subscription.async().subscribe(channels)
                        .whenComplete(this::failed));
                toSubscribe.clear();
            }
            deleteCounts();
            readCounts();
        } catch (RuntimeException e) {
            owner.trouble(e); // what was not confirmed is sent again at the next reconcile
            answerWithoutCounts();
        }
    }

    private void unsubscribingNow(Set<String> rooms) {
        unsubscribing.addAll(rooms);
        for (String room : rooms) {
            subscribing.remove(room);
        }
    }

    private enum KeyOrChannel { NAME, CHANNEL }

    private void inBatches(Set<String> rooms, KeyOrChannel what, Consumer<byte[][]> command) {
        List<byte[]> batch = new ArrayList<>(Math.min(rooms.size(), CHANNELS_PER_COMMAND));
        for (Iterator<String> it = rooms.iterator(); it.hasNext(); ) {
            String room = it.next();
            batch.add(what == KeyOrChannel.CHANNEL ? keys.roomChannel(room) : ClusterKeys.bytes(room));
            if (batch.size() == CHANNELS_PER_COMMAND || !it.hasNext()) {
                command.accept(batch.toArray(new byte[0][]));
                batch.clear();
            }
        }
    }

    private void deleteCounts() {
        long expired = System.nanoTime() - 2 * properties.nodeTimeout().toNanos();
        if (countsToDelete.values().removeIf(closedAt -> closedAt - expired < 0)) {
            sweepDue = true;
        }
        if (deleting.size() == countsToDelete.size()) {
            return; // every one on its way
        }
        RedisClusterAsyncCommands<byte[], byte[]> redis = owner.commands();
        for (String room : countsToDelete.keySet()) {
            if (!deleting.add(room)) {
                continue;
            }
            redis.hdel(keys.roomMembers(room), nodeId).whenComplete((deleted, failure) -> post(() -> {
                deleting.remove(room);
                if (failure == null && !wanted.contains(room)) {
                    countsToDelete.remove(room);
                    forget(room);
                }
            }));
        }
    }

    /** Takes the room out of the node's room set, unless it came back meanwhile. */
    private void forget(String room) {
        if (!wanted.contains(room)) {
            owner.commands().srem(keys.nodeRooms(nodeId), ClusterKeys.bytes(room)).whenComplete(this::failed);
        }
    }

    /**
     * One page of the node's room set: the count of each room this node no longer has is deleted. A room that
     * opens again while its delete is on its way has its count rewritten by the next reconcile.
     */
    private void sweep(ScanCursor cursor) {
        RedisClusterAsyncCommands<byte[], byte[]> redis = owner.commands();
        redis.sscan(keys.nodeRooms(nodeId), cursor, ScanArgs.Builder.limit(CHANNELS_PER_COMMAND))
                .whenComplete((page, failure) -> post(() -> {
                    if (failure != null) {
                        sweeping = false;
                        sweepDue = true; // again at the next reconcile
                        owner.trouble(failure);
                        return;
                    }
                    try {
                        for (byte[] name : page.getValues()) {
                            String room = new String(name, StandardCharsets.UTF_8);
                            if (!wanted.contains(room)) {
                                owner.commands().hdel(keys.roomMembers(room), nodeId).whenComplete(this::failed);
                                forget(room);
                            }
                        }
                    } catch (RuntimeException e) {
                        sweeping = false;
                        sweepDue = true;
                        owner.trouble(e);
                        return;
                    }
                    if (page.isFinished()) {
                        sweeping = false;
                    } else {
                        sweep(page);
                    }
                }));
    }

    /** One read of the other nodes' members per room, for all its joiners of this pass. */
    private void readCounts() {
        if (counting.isEmpty()) {
            return;
        }
        if (!owner.connected()) {
            answerWithoutCounts();
            return;
        }
        RedisClusterAsyncCommands<byte[], byte[]> redis = owner.commands();
        for (Map.Entry<String, List<CompletableFuture<Integer>>> room : counting.entrySet()) {
            List<CompletableFuture<Integer>> joiners = room.getValue();
            redis.<Long>eval(RedisBackplane.COUNT, ScriptOutputType.INTEGER,
                    new byte[][] {keys.nodes(), keys.roomMembers(room.getKey())}, nodeId)
                    .whenComplete((count, failure) -> {
                        if (failure != null) {
                            owner.trouble(failure);
                        }
                        int others = count == null ? 0 : count.intValue();
                        joiners.forEach(joiner -> joiner.complete(others));
                    });
        }
        counting.clear();
    }

    /** Joiners waiting for a count get 0 (unknown): a join never waits on a Redis that does not answer. */
    private void answerWithoutCounts() {
        for (List<CompletableFuture<Integer>> joiners : counting.values()) {
            joiners.forEach(joiner -> joiner.complete(0));
        }
        counting.clear();
    }

    private void checkAwaited() {
        if (awaited != null && awaited.isEmpty()) {
            awaited = null;
            owner.subscriptionsConfirmed();
        }
    }

    private void failed(Object result, Throwable failure) {
        if (failure != null) {
            owner.trouble(failure);
        }
    }
}
