package dev.servercore.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.servercore.game.RoomBackplane;
import dev.servercore.game.Rooms;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Rooms across gateway nodes on Redis (Spring Boot's Lettuce connection factory). Each room is a pub/sub channel that a
 * node subscribes to while the room exists there; a room's tick publishes what it wrote once, and every
 * other node hands it to its own members. Presence: each node heartbeats its node id (a sorted set scored
 * by expiry) and its rooms' member counts (one hash per room); counts of nodes whose heartbeat expired are
 * left out (and cleaned) by the script that sums a room.
 *
 * <p>Threads: nothing waits on Redis on an event loop or a room job. Publishes and presence writes are
 * asynchronous, at most {@code max-pending-publishes} in flight. The heartbeat has a thread and a Redis
 * connection of its own, and does nothing else: no other Redis work of the node (a flood of joins, thousands
 * of subscribes) waits in front of it. The room channels are kept by {@link RoomSubscriptions}, on a thread that never
 * waits: subscribes go out in batches, and their confirmations come back through the subscription.
 *
 * <p>Faults: while Redis cannot be reached, cross-node messages are dropped and counted (Lettuce is set to
 * reject commands while disconnected: nothing buffers), local traffic goes on, and the heartbeat finds Redis
 * again by itself: the subscriptions are then put right and this node's presence rewritten. Messages from
 * other nodes wait for their room's job, within {@code max-pending-deliveries-per-room},
 * {@code max-pending-deliveries} and {@code max-pending-bytes}. Heartbeats that Redis leaves unanswered (a
 * host gone without a reset) open new connections after three.
 *
 * <p>Commands go through Spring Data Redis' shared native connection; the heartbeat through a connection of
 * the factory's client of its own. The subscription is a Lettuce pub/sub connection of that client: Lettuce
 * keeps its channels as a set and subscribes them again by itself after a reconnect, and each subscribe is
 * confirmed before a joiner is added (Spring Data's {@code Subscription} keeps a list that grows with every
 * retried subscribe, and gives no confirmation). Each heartbeat reconciles what is subscribed with the rooms
 * this node has, so a room opened or closed while Redis was away is put right once it is back.
 */
public final class RedisBackplane implements RoomBackplane, SmartLifecycle {

    private static final Log log = LogFactory.getLog(RedisBackplane.class);
    private static final byte VERSION = 2;

    /**
     * Renews this node (and its slot of ids; the epoch too, if Redis lost it: see {@link ClusterNode}); returns
     * the live nodes, or -1 when another node holds the slot.
     */
    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('SET', KEYS[3], now, 'NX')
            local holder = redis.call('GET', KEYS[2])
            if holder and holder ~= ARGV[1] then return -1 end
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZCARD', KEYS[1])
            """;

    /** A room's members on every live node but ARGV[1]; the counts of dead nodes are removed. */
    static final String COUNT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local fields = redis.call('HGETALL', KEYS[2])
            local sum = 0
            for i = 1, #fields, 2 do
              local node = fields[i]
              if node ~= ARGV[1] then
                local expires = redis.call('ZSCORE', KEYS[1], node)
                if expires and tonumber(expires) > now then
                  sum = sum + tonumber(fields[i + 1])
                else
                  redis.call('HDEL', KEYS[2], node)
                end
              end
            end
            return sum
            """;

    public enum State {
        STOPPED, CONNECTED, DISCONNECTED
    }

    private final LettuceConnectionFactory connections;
    private final ClusterNode node;
    private final ClusterKeys keys;
    private final ClusterProperties properties;
    private final byte[] nodeId;
    /** version, id length, id: the start of every message this node publishes (then sent-at micros, tick). */
    private final byte[] origin;

    private final RoomSubscriptions subscriptions;
    /** The heartbeat's thread ({@code servercore-backplane-heartbeat}) and connection: presence only. */
    private volatile ScheduledExecutorService heartbeats;
    private volatile StatefulConnection<byte[], byte[]> heartbeatConnection;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> beat;
    private volatile RedisConnection commandConnection;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> redis;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> subscription;
    private volatile Rooms rooms;

    // The heartbeat's own (beatsWithoutPing is reset by becameConnected(), from the subscriptions' thread).
    private long pingsAtLastBeat;
    private volatile int beatsWithoutPing;
    private int beatsTimedOut;
    /** The last heartbeat reached Redis. */
    private volatile boolean reachable;

    private final Map<String, Integer> localMembers = new ConcurrentHashMap<>();
    private volatile State state = State.STOPPED;
    private volatile String problem;
    private volatile Instant stateSince = Instant.now();
    private volatile long nodesSeen;
    private final AtomicLong pingsSeen = new AtomicLong();
    private final AtomicInteger pendingPublishes = new AtomicInteger();
    private final AtomicInteger pendingDeliveries = new AtomicInteger();
    private final Map<String, AtomicInteger> pendingByRoom = new ConcurrentHashMap<>();
    private final AtomicLong pendingDeliveryBytes = new AtomicLong();
    private final AtomicLong pendingPublishBytes = new AtomicLong();

    private final Counter published;
    private final Counter received;
    private final Timer deliveryLatency;
    private final MeterRegistry meters;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

    public RedisBackplane(LettuceConnectionFactory connections, ClusterNode node, ClusterProperties properties,
            MeterRegistry meters) {
        this.connections = connections;
        this.node = node;
        this.keys = new ClusterKeys(properties.keyPrefix());
        this.properties = properties;
        this.meters = meters;
        this.nodeId = node.id().getBytes(StandardCharsets.UTF_8);
        this.origin = new byte[2 + nodeId.length];
        origin[0] = VERSION;
        origin[1] = (byte) nodeId.length;
        System.arraycopy(nodeId, 0, origin, 2, nodeId.length);
        published = Counter.builder("servercore.cluster.messages.published")
                .description("Room messages this node published for the other nodes").register(meters);
        received = Counter.builder("servercore.cluster.messages.received")
                .description("Room messages from other nodes delivered to this node's members").register(meters);
        deliveryLatency = Timer.builder("servercore.cluster.delivery.latency")
                .description("From another node's publish to the sends to this node's members (wall clocks)")
                .publishPercentiles(0.5, 0.99).register(meters);
        for (String reason : new String[] {"backplane_down", "too_many_pending", "publish_failed", "lagging",
                "room_gone", "malformed"}) {
            dropped(reason);
        }
        Gauge.builder("servercore.cluster.backplane.up", this, b -> b.state == State.CONNECTED ? 1 : 0)
                .description("1 while the backplane reaches Redis, else 0").register(meters);
        Gauge.builder("servercore.cluster.nodes", this, b -> b.nodesSeen)
                .description("Live nodes of the cluster, this one included, at the last heartbeat").register(meters);
        Gauge.builder("servercore.cluster.rooms", localMembers, Map::size)
                .description("Rooms of this node shared through the backplane").register(meters);
        Gauge.builder("servercore.cluster.deliveries.pending", pendingDeliveries, AtomicInteger::get)
                .description("Messages from other nodes waiting for their room's job").register(meters);
        subscriptions = new RoomSubscriptions(new RoomSubscriptions.Owner() {
            @Override
            public RedisClusterAsyncCommands<byte[], byte[]> commands() {
                return redis;
            }

            @Override
            public boolean reachable() {
                return reachable;
            }

            @Override
            public boolean connected() {
                return state == State.CONNECTED;
            }

            @Override
            public void subscriptionsConfirmed() {
                if (reachable && state == State.DISCONNECTED) {
                    becameConnected();
                }
            }

            @Override
            public void trouble(Throwable failure) {
                RedisBackplane.this.trouble(failure);
            }
        }, keys, nodeId, properties);
    }

    private Counter dropped(String reason) {
        return dropped.computeIfAbsent(reason, r -> Counter.builder("servercore.cluster.messages.dropped")
                .description("Cross-node room messages dropped, by reason").tag("reason", r).register(meters));
    }

    @Override
    public Duration flushDelay() {
        return properties.flushDelay();
    }

    @Override
    public void attach(Rooms rooms) {
        this.rooms = rooms;
    }

    public State state() {
        return state;
    }

    /** Why the backplane is disconnected (the last error), or null. */
    public String problem() {
        return problem;
    }

    public Instant stateSince() {
        return stateSince;
    }

    public long nodesSeen() {
        return nodesSeen;
    }

    public ClusterNode node() {
        return node;
    }

    // ---- from room jobs and the rooms' threads: never waits

    @Override
    public void roomOpened(String room) {
        subscriptions.opened(room);
    }

    @Override
    public void roomClosed(String room) {
        localMembers.remove(room);
        pendingByRoom.remove(room);
        subscriptions.closed(room);
    }

    /** Once the room's channel is confirmed (the joiner misses nothing from now on), with the others' count. */
    @Override
    public CompletionStage<Integer> joining(String room) {
        return subscriptions.joining(room)
                .completeOnTimeout(0, properties.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void membersChanged(String room, int members) {
        localMembers.put(room, members);
        if (state == State.CONNECTED) {
            byte[] count = Integer.toString(members).getBytes(StandardCharsets.UTF_8);
            if (members == 0) {
                command(r -> r.hdel(keys.roomMembers(room), nodeId));
            } else {
                command(r -> r.hset(keys.roomMembers(room), nodeId, count));
                command(r -> r.sadd(keys.nodeRooms(nodeId), ClusterKeys.bytes(room))); // for a sweep: RoomSubscriptions
            }
        }
    }

    @Override
    public void publish(String room, long tick, byte[] frames) {
        if (state != State.CONNECTED) {
            dropped("backplane_down").increment();
            return;
        }
        int size = origin.length + 2 * Long.BYTES + frames.length;
        if (pendingPublishes.incrementAndGet() > properties.maxPendingPublishes()
                | pendingPublishBytes.addAndGet(size) > properties.maxPendingBytes().toBytes()) {
            pendingPublishes.decrementAndGet();
            pendingPublishBytes.addAndGet(-size);
            dropped("too_many_pending").increment();
            return;
        }
        ByteBuffer message = ByteBuffer.allocate(size);
        message.put(origin).putLong(nowMicros()).putLong(tick).put(frames);
        try {
            redis.publish(keys.roomChannel(room), message.array()).whenComplete((receivers, failure) -> {
                pendingPublishes.decrementAndGet();
                pendingPublishBytes.addAndGet(-size);
                if (failure != null) {
                    dropped("publish_failed").increment();
                    trouble(failure);
                } else {
                    published.increment();
                }
            });
        } catch (RuntimeException e) {
            pendingPublishes.decrementAndGet();
            pendingPublishBytes.addAndGet(-size);
            dropped("publish_failed").increment();
            trouble(e);
        }
    }

    // ---- from Lettuce's thread

    private void received(byte[] channel, byte[] body) {
        String room = keys.roomOf(channel);
        if (room == null) {
            pingsSeen.incrementAndGet(); // this node's own channel: its heartbeat's ping came round
            return;
        }
        int header = origin.length + 2 * Long.BYTES;
        if (body.length < header || body[0] != VERSION || body[1] != nodeId.length) {
            dropped("malformed").increment();
            return;
        }
        if (Arrays.equals(body, 0, origin.length, origin, 0, origin.length)) {
            return; // this node's own publish: its members have it already
        }
        Rooms target = rooms;
        if (target == null || target.room(room) == null) {
            dropped("room_gone").increment(); // no per-room count made for a room this node does not have
            return;
        }
        int size = body.length - header;
        AtomicInteger roomPending = pendingByRoom.computeIfAbsent(room, r -> new AtomicInteger());
        if (!admit(roomPending, size)) {
            dropped("lagging").increment();
            return;
        }
        ByteBuffer times = ByteBuffer.wrap(body, 2 + nodeId.length, 2 * Long.BYTES);
        long sentAt = times.getLong();
        long tick = times.getLong();
        byte[] frames = Arrays.copyOfRange(body, header, body.length);
        boolean queued = target.deliverFromOtherNode(room, tick, frames, () -> {
            release(roomPending, size);
            received.increment();
            deliveryLatency.record(Math.max(0, nowMicros() - sentAt), TimeUnit.MICROSECONDS);
        });
        if (!queued) {
            release(roomPending, size);
            dropped("room_gone").increment();
        }
    }

    /** A message waits for its room's job: within the room's, the node's and the bytes' limits, or not at all. */
    private boolean admit(AtomicInteger roomPending, int size) {
        if (roomPending.incrementAndGet() > properties.maxPendingDeliveriesPerRoom()
                | pendingDeliveries.incrementAndGet() > properties.maxPendingDeliveries()
                | pendingDeliveryBytes.addAndGet(size) > properties.maxPendingBytes().toBytes()) {
            release(roomPending, size);
            return false;
        }
        return true;
    }

    private void release(AtomicInteger roomPending, int size) {
        roomPending.decrementAndGet();
        pendingDeliveries.decrementAndGet();
        pendingDeliveryBytes.addAndGet(-size);
    }

    // ---- the heartbeat's thread: presence, on a connection of its own

    private void heartbeat() {
        Duration ttl = properties.nodeTimeout();
        long wait = properties.heartbeatInterval().toMillis();
        try {
            long nodes = beat.<Long>eval(HEARTBEAT, ScriptOutputType.INTEGER,
                    new byte[][] {keys.nodes(), keys.slot(node.slot()), keys.epoch()}, nodeId,
                    Long.toString(ttl.toMillis()).getBytes(StandardCharsets.UTF_8)).get(wait, TimeUnit.MILLISECONDS);
            beatsTimedOut = 0;
            if (nodes < 0) {
                reachable = false;
                log.error("Another node took session id slot " + node.slot() + " while this one could not reach "
                        + "Redis for longer than the node timeout; new sessions take ids of another slot (the open "
                        + "ones keep theirs, which that node may hand out too until they end)");
                node.claimSlot(connections, properties);
                return;
            }
            nodesSeen = nodes;
            reachable = true;
            long seen = pingsSeen.get();
            beatsWithoutPing = seen == pingsAtLastBeat ? beatsWithoutPing + 1 : 0;
            pingsAtLastBeat = seen;
            if (state == State.CONNECTED && beatsWithoutPing >= 3) {
                trouble(new IllegalStateException("the subscription received none of its last 3 pings"));
                return;
            }
            subscriptions.reconcile(Map.copyOf(localMembers)); // connects once every room is confirmed
            // comes back through the subscription: proof that this node still receives
            beat.publish(keys.nodeChannel(node.id()), new byte[0]);
        } catch (java.util.concurrent.TimeoutException e) {
            reachable = false;
            trouble(e);
            if (++beatsTimedOut >= 3) {
                reconnect(); // Redis answers nothing, yet no connection failed: a host gone without a reset
            }
        } catch (Throwable e) {
            reachable = false;
            trouble(e);
        }
    }

    private void becameConnected() {
        beatsWithoutPing = 0;
        problem = null;
        stateSince = Instant.now();
        state = State.CONNECTED;
        log.info("Backplane connected to Redis (" + subscriptions.subscribedCount() + " rooms subscribed, "
                + nodesSeen + " nodes)");
    }

    /** New connections, for the heartbeat, commands and the subscription (the old ones waited on a dead host). */
    private void reconnect() {
        log.warn("Redis has not answered " + beatsTimedOut + " heartbeats: opening new connections");
        beatsTimedOut = 0;
        try {
            openHeartbeatConnection();
            connections.resetConnection();
            openCommandConnection();
            subscriptions.replace(openSubscription()); // the next heartbeats subscribe every room on it
        } catch (RuntimeException e) {
            trouble(e);
        }
    }

    /** A presence write; failures only mark the backplane down (the heartbeat rewrites presence anyway). */
    private void command(java.util.function.Function<RedisClusterAsyncCommands<byte[], byte[]>,
            java.util.concurrent.CompletionStage<?>> write) {
        try {
            write.apply(redis).whenComplete((result, failure) -> {
                if (failure != null) {
                    trouble(failure);
                }
            });
        } catch (RuntimeException e) {
            trouble(e);
        }
    }

    private void trouble(Throwable failure) {
        if (state == State.CONNECTED) {
            state = State.DISCONNECTED;
            stateSince = Instant.now();
            problem = String.valueOf(failure);
            log.warn("Backplane lost Redis: cross-node messages are dropped until it is back (" + failure + ")");
        } else if (state == State.DISCONNECTED) {
            problem = String.valueOf(failure);
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    // ---- lifecycle

    @SuppressWarnings("unchecked")
    private void openCommandConnection() {
        RedisConnection previous = commandConnection;
        commandConnection = connections.getConnection();
        redis = (RedisClusterAsyncCommands<byte[], byte[]>) commandConnection.getNativeConnection();
        if (previous != null) {
            previous.close();
        }
    }

    /** The heartbeat's own connection, of the factory's client: no other command waits in front of it. */
    private void openHeartbeatConnection() {
        AbstractRedisClient client = connections.getRequiredNativeClient();
        StatefulConnection<byte[], byte[]> opened;
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.connect(ByteArrayCodec.INSTANCE);
            beat = connection.async();
            opened = connection;
        } else if (client instanceof RedisClient standalone) {
            StatefulRedisConnection<byte[], byte[]> connection = standalone.connect(ByteArrayCodec.INSTANCE);
            beat = connection.async();
            opened = connection;
        } else {
            throw unsupported(client);
        }
        StatefulConnection<byte[], byte[]> previous = heartbeatConnection;
        heartbeatConnection = opened;
        if (previous != null) {
            previous.closeAsync();
        }
    }

    private static IllegalStateException unsupported(AbstractRedisClient client) {
        return new IllegalStateException("The backplane needs a standalone, Sentinel or Cluster Redis client, not "
                + client.getClass().getName());
    }

    /** A pub/sub connection of the factory's client, with this node's own channel subscribed. */
    private StatefulRedisPubSubConnection<byte[], byte[]> openSubscription() {
        AbstractRedisClient client = connections.getRequiredNativeClient();
        StatefulRedisPubSubConnection<byte[], byte[]> opened;
        if (client instanceof RedisClusterClient cluster) {
            opened = cluster.connectPubSub(ByteArrayCodec.INSTANCE);
        } else if (client instanceof RedisClient standalone) {
            opened = standalone.connectPubSub(ByteArrayCodec.INSTANCE);
        } else {
            throw unsupported(client);
        }
        opened.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                received(channel, message);
            }

            @Override
            public void subscribed(byte[] channel, long count) {
                String room = keys.roomOf(channel);
                if (room != null) {
                    subscriptions.confirmed(room);
                }
            }

            @Override
            public void unsubscribed(byte[] channel, long count) {
                String room = keys.roomOf(channel);
                if (room != null) {
                    subscriptions.unconfirmed(room);
                }
            }
        });
        opened.sync().subscribe(keys.nodeChannel(node.id()));
        subscription = opened;
        return opened;
    }

    @Override
    public void start() {
        if (heartbeats != null) {
            return;
        }
        openCommandConnection();
        openHeartbeatConnection();
        subscriptions.start(openSubscription());
        state = State.DISCONNECTED; // the first heartbeat connects
        heartbeats = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "servercore-backplane-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long period = properties.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, 0, period, TimeUnit.MILLISECONDS);
    }

    /** After the rooms and the listener stopped: this node's presence goes at once, not at its timeout. */
    @Override
    public void stop() {
        ScheduledExecutorService stopping = heartbeats;
        if (stopping == null) {
            return;
        }
        try {
            stopping.submit(() -> {
                if (state == State.CONNECTED) {
                    for (String room : localMembers.keySet()) {
                        beat.hdel(keys.roomMembers(room), nodeId);
                    }
                    beat.zrem(keys.nodes(), nodeId);
                    beat.del(keys.slot(node.slot())).get(properties.joinTimeout().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
                return null;
            }).get(properties.joinTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Backplane stop: presence left to expire (" + e + ")");
        }
        heartbeats = null;
        stopping.shutdownNow();
        subscriptions.stop();
        state = State.STOPPED;
        stateSince = Instant.now();
        subscription.close();
        heartbeatConnection.close();
        heartbeatConnection = null;
        commandConnection.close();
        commandConnection = null;
    }

    @Override
    public boolean isRunning() {
        return heartbeats != null;
    }

    /** Started before the rooms, stopped after them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2;
    }

    /** The room's members on every live node (this one's as last written), for tools and tests. */
    public CompletableFuture<Integer> clusterMembers(String room) {
        return redis.<Long>eval(COUNT, ScriptOutputType.INTEGER, new byte[][] {keys.nodes(), keys.roomMembers(room)},
                new byte[0]).toCompletableFuture().thenApply(Long::intValue);
    }

    /** Rooms whose channel Redis confirmed subscribed (for tests). */
    int subscribedRooms() {
        return subscriptions.subscribedCount();
    }

    /** Rooms gone from this node whose count is still to be deleted from Redis (for tests). */
    int countsToDelete() {
        return subscriptions.countsToDeleteCount();
    }
}
