package dev.servercore.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.servercore.core.ServerCoreProperties.ClusterProperties;
import dev.servercore.game.RoomBackplane;
import dev.servercore.game.Rooms;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.Subscription;

/**
 * Rooms across gateway nodes on Redis (Spring Data Redis, Lettuce). Each room is a pub/sub channel that a
 * node subscribes to while the room exists there; a room's tick publishes what it wrote once, and every
 * other node hands it to its own members. Presence: each node heartbeats its node id (a sorted set scored
 * by expiry) and its rooms' member counts (one hash per room); counts of nodes whose heartbeat expired are
 * left out (and cleaned) by the script that sums a room.
 *
 * <p>Faults: nothing waits on Redis on a game thread. Publishes and presence writes are asynchronous, at
 * most {@code max-pending-publishes} in flight; while Redis cannot be reached, cross-node messages are
 * dropped and counted (Lettuce is set to reject commands while disconnected: nothing buffers), local
 * traffic goes on, and the heartbeat finds Redis again by itself: it then subscribes every room anew and
 * rewrites this node's presence. Messages from other nodes wait for their room's job, at most
 * {@code max-pending-deliveries} of them.
 */
public final class RedisBackplane implements RoomBackplane, SmartLifecycle, MessageListener {

    private static final Log log = LogFactory.getLog(RedisBackplane.class);
    private static final byte VERSION = 1;

    /** Renews this node (and its slot of ids); returns the live nodes, or -1 when another node holds the slot. */
    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local holder = redis.call('GET', KEYS[2])
            if holder and holder ~= ARGV[1] then return -1 end
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZCARD', KEYS[1])
            """;

    /** A room's members on every live node but ARGV[1]; the counts of dead nodes are removed. */
    private static final String COUNT = """
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

    private final RedisConnectionFactory connections;
    private final ClusterNode node;
    private final ClusterKeys keys;
    private final ClusterProperties properties;
    private final byte[] nodeId;
    /** version, id length, id: the start of every message this node publishes. */
    private final byte[] origin;

    private volatile ScheduledExecutorService worker;
    private volatile RedisConnection commandConnection;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> redis;
    private RedisConnection subscriptionConnection;
    private Subscription subscription;
    private volatile Rooms rooms;

    // The worker's own.
    private final Set<String> wanted = new HashSet<>();
    private final Set<String> subscribedRooms = new HashSet<>();
    private long pingsAtLastBeat;
    private int beatsWithoutPing;

    private final Map<String, Integer> localMembers = new ConcurrentHashMap<>();
    private volatile State state = State.STOPPED;
    private volatile String problem;
    private volatile Instant stateSince = Instant.now();
    private volatile long nodesSeen;
    private final AtomicLong pingsSeen = new AtomicLong();
    private final AtomicInteger pendingPublishes = new AtomicInteger();
    private final AtomicInteger pendingDeliveries = new AtomicInteger();

    private final Counter published;
    private final Counter received;
    private final Timer deliveryLatency;
    private final MeterRegistry meters;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

    public RedisBackplane(RedisConnectionFactory connections, ClusterNode node, ClusterProperties properties,
            MeterRegistry meters) {
        this.connections = connections;
        this.node = node;
        this.keys = new ClusterKeys(properties.getKeyPrefix());
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
                "room_gone"}) {
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
    }

    private Counter dropped(String reason) {
        return dropped.computeIfAbsent(reason, r -> Counter.builder("servercore.cluster.messages.dropped")
                .description("Cross-node room messages dropped, by reason").tag("reason", r).register(meters));
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

    // ---- from room jobs: never waits

    @Override
    public void roomOpened(String room) {
        onWorker(() -> {
            wanted.add(room);
            if (state == State.CONNECTED) {
                subscribe(room);
            }
        });
    }

    @Override
    public void roomClosed(String room) {
        localMembers.remove(room);
        onWorker(() -> {
            wanted.remove(room);
            if (subscribedRooms.remove(room) && state == State.CONNECTED) {
                try {
                    subscription.unsubscribe(keys.roomChannel(room));
                } catch (RuntimeException e) {
                    trouble(e);
                }
            }
            command(r -> r.hdel(keys.roomMembers(room), nodeId));
        });
    }

    @Override
    public CompletionStage<Integer> joining(String room) {
        CompletableFuture<Integer> others = new CompletableFuture<>();
        // after the room's subscription (queued by roomOpened before): the joiner misses nothing from now on
        onWorker(() -> {
            if (state != State.CONNECTED) {
                others.complete(0);
                return;
            }
            try {
                redis.<Long>eval(COUNT, ScriptOutputType.INTEGER, new byte[][] {keys.nodes(), keys.roomMembers(room)},
                        nodeId).whenComplete((count, failure) -> {
                            if (failure != null) {
                                trouble(failure);
                            }
                            others.complete(count == null ? 0 : count.intValue());
                        });
            } catch (RuntimeException e) {
                trouble(e);
                others.complete(0);
            }
        });
        return others.completeOnTimeout(0, properties.getJoinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void membersChanged(String room, int members) {
        localMembers.put(room, members);
        if (state == State.CONNECTED) {
            command(r -> members == 0 ? r.hdel(keys.roomMembers(room), nodeId)
                    : r.hset(keys.roomMembers(room), nodeId, Integer.toString(members).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Override
    public void publish(String room, byte[] frames) {
        if (state != State.CONNECTED) {
            dropped("backplane_down").increment();
            return;
        }
        if (pendingPublishes.incrementAndGet() > properties.getMaxPendingPublishes()) {
            pendingPublishes.decrementAndGet();
            dropped("too_many_pending").increment();
            return;
        }
        ByteBuffer message = ByteBuffer.allocate(origin.length + Long.BYTES + frames.length);
        message.put(origin).putLong(nowMicros()).put(frames);
        try {
            redis.publish(keys.roomChannel(room), message.array()).whenComplete((receivers, failure) -> {
                pendingPublishes.decrementAndGet();
                if (failure != null) {
                    dropped("publish_failed").increment();
                    trouble(failure);
                } else {
                    published.increment();
                }
            });
        } catch (RuntimeException e) {
            pendingPublishes.decrementAndGet();
            dropped("publish_failed").increment();
            trouble(e);
        }
    }

    // ---- from Lettuce's thread

    @Override
    public void onMessage(Message message, byte[] pattern) {
        String room = keys.roomOf(message.getChannel());
        if (room == null) {
            pingsSeen.incrementAndGet(); // this node's own channel: its heartbeat's ping came round
            return;
        }
        byte[] body = message.getBody();
        int header = origin.length + Long.BYTES;
        if (body.length < header || body[0] != VERSION) {
            dropped("room_gone").increment();
            return;
        }
        if (Arrays.equals(body, 0, origin.length, origin, 0, origin.length)) {
            return; // this node's own publish: its members have it already
        }
        if (pendingDeliveries.incrementAndGet() > properties.getMaxPendingDeliveries()) {
            pendingDeliveries.decrementAndGet();
            dropped("lagging").increment();
            return;
        }
        long sentAt = ByteBuffer.wrap(body, body[1] + 2, Long.BYTES).getLong();
        byte[] frames = Arrays.copyOfRange(body, header, body.length);
        Rooms target = rooms;
        boolean queued = target != null && target.deliverFromOtherNode(room, frames, () -> {
            pendingDeliveries.decrementAndGet();
            received.increment();
            deliveryLatency.record(Math.max(0, nowMicros() - sentAt), TimeUnit.MICROSECONDS);
        });
        if (!queued) {
            pendingDeliveries.decrementAndGet();
            dropped("room_gone").increment();
        }
    }

    // ---- the worker

    private void onWorker(Runnable task) {
        ScheduledExecutorService w = worker;
        if (w == null) {
            return;
        }
        try {
            w.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    trouble(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // stopping: presence goes with the node
        }
    }

    private void subscribe(String room) {
        try {
            subscription.subscribe(keys.roomChannel(room));
            subscribedRooms.add(room);
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

    private void heartbeat() {
        Duration ttl = properties.getNodeTimeout();
        long wait = properties.getHeartbeatInterval().toMillis();
        try {
            long nodes = redis.<Long>eval(HEARTBEAT, ScriptOutputType.INTEGER,
                    new byte[][] {keys.nodes(), keys.slot(node.slot())}, nodeId,
                    Long.toString(ttl.toMillis()).getBytes(StandardCharsets.UTF_8)).get(wait, TimeUnit.MILLISECONDS);
            if (nodes < 0) {
                log.error("Another node took session id slot " + node.slot() + " while this one could not reach "
                        + "Redis; taking another slot for new sessions");
                node.claimSlot(connections, ttl, properties.getHeartbeatInterval());
                return;
            }
            nodesSeen = nodes;
            for (Map.Entry<String, Integer> room : localMembers.entrySet()) {
                byte[] key = keys.roomMembers(room.getKey());
                redis.hset(key, nodeId, Integer.toString(room.getValue()).getBytes(StandardCharsets.UTF_8));
                redis.pexpire(key, ttl.toMillis() * 2);
            }
            long seen = pingsSeen.get();
            beatsWithoutPing = seen == pingsAtLastBeat ? beatsWithoutPing + 1 : 0;
            pingsAtLastBeat = seen;
            if (state != State.CONNECTED) {
                resubscribe();
            } else if (beatsWithoutPing >= 3) {
                trouble(new IllegalStateException("the subscription received none of its last 3 pings"));
                return;
            }
            // comes back through the subscription: proof that this node still receives
            redis.publish(keys.nodeChannel(node.id()), new byte[0]);
        } catch (Exception e) {
            trouble(e);
        }
    }

    /** Redis is back (or was never lost): every wanted room subscribed again, then cross-node traffic flows. */
    private void resubscribe() {
        byte[][] channels = new byte[wanted.size() + 1][];
        int i = 0;
        for (String room : wanted) {
            channels[i++] = keys.roomChannel(room);
        }
        channels[i] = keys.nodeChannel(node.id());
        subscription.subscribe(channels); // throws while the subscription's connection is still down
        subscribedRooms.clear();
        subscribedRooms.addAll(wanted);
        beatsWithoutPing = 0;
        problem = null;
        stateSince = Instant.now();
        state = State.CONNECTED;
        log.info("Backplane connected to Redis (" + wanted.size() + " rooms subscribed, " + nodesSeen + " nodes)");
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

    @Override
    @SuppressWarnings("unchecked")
    public void start() {
        if (worker != null) {
            return;
        }
        commandConnection = connections.getConnection();
        redis = (RedisClusterAsyncCommands<byte[], byte[]>) commandConnection.getNativeConnection();
        subscriptionConnection = connections.getConnection();
        subscriptionConnection.subscribe(this, keys.nodeChannel(node.id()));
        subscription = subscriptionConnection.getSubscription();
        state = State.DISCONNECTED; // the first heartbeat connects
        worker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "servercore-backplane");
            thread.setDaemon(true);
            return thread;
        });
        long period = properties.getHeartbeatInterval().toMillis();
        worker.scheduleWithFixedDelay(this::heartbeat, 0, period, TimeUnit.MILLISECONDS);
    }

    /** After the rooms and the listener stopped: this node's presence goes at once, not at its timeout. */
    @Override
    public void stop() {
        ScheduledExecutorService stopping = worker;
        if (stopping == null) {
            return;
        }
        try {
            stopping.submit(() -> {
                if (state == State.CONNECTED) {
                    for (String room : localMembers.keySet()) {
                        redis.hdel(keys.roomMembers(room), nodeId);
                    }
                    redis.zrem(keys.nodes(), nodeId);
                    redis.del(keys.slot(node.slot()));
                }
                subscription.close();
            }).get(properties.getJoinTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Backplane stop: presence left to expire (" + e + ")");
        }
        worker = null;
        stopping.shutdownNow();
        state = State.STOPPED;
        stateSince = Instant.now();
        subscriptionConnection.close();
        commandConnection.close();
    }

    @Override
    public boolean isRunning() {
        return worker != null;
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
}
