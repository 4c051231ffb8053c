package dev.servercore.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.SessionIds;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * This gateway as one node of a cluster: a random node id, and a slot of session ids held in Redis while
 * the node lives. A session id is {@code slot << 24 | n}: the slot (1..127) keeps every node's ids apart
 * from every other live node's, {@code n} counts this node's sessions (16,777,215 of them before it comes
 * round again). Slots are handed out in turn (a counter in Redis), so a slot freed by a dead node is the
 * last to be taken again.
 *
 * <p>A Redis without persistence that restarts has lost every slot: a node starting just then could take
 * the slot of a live node that has not yet renewed it. So slots are handed out only once the cluster's
 * keys are older than a node timeout plus a heartbeat: the first node or heartbeat to find them gone
 * writes a new epoch, every live node takes its slot back at its next heartbeat, and a claim waits out the
 * rest of that grace period (the very first node of a cluster waits it too).
 */
public final class ClusterNode implements SessionIds {

    private static final Log log = LogFactory.getLog(ClusterNode.class);
    static final int SLOTS = 127;
    private static final int SEQUENCE_BITS = 24;
    private static final int SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1;

    private final String id = UUID.randomUUID().toString();
    private final ClusterKeys keys;
    private volatile int slot;
    private final AtomicInteger sequence = new AtomicInteger();

    ClusterNode(ClusterKeys keys) {
        this.keys = keys;
    }

    /** Unique among every node that ever joined (a random UUID). */
    public String id() {
        return id;
    }

    /** This node's slot of session ids, 1..127. */
    public int slot() {
        return slot;
    }

    @Override
    public int next() {
        int n = sequence.updateAndGet(last -> last == SEQUENCE_MASK ? 1 : last + 1);
        return slot << SEQUENCE_BITS | n;
    }

    /** The node of a session id. */
    public static int slotOf(int sessionId) {
        return sessionId >>> SEQUENCE_BITS;
    }

    /** How long a claim must wait for live nodes to take their slots back (0: none); starts an epoch if none. */
    private static final String GRACE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              redis.call('SET', KEYS[1], now)
              return tonumber(ARGV[1])
            end
            return math.max(0, tonumber(epoch) + tonumber(ARGV[1]) - now)
            """;

    /**
     * Takes a free slot (at startup, or after another node took this one while Redis could not be
     * reached), trying every slot once, retrying while Redis cannot be reached, until the startup timeout.
     */
    void claimSlot(RedisConnectionFactory connections, ClusterProperties cluster) {
        Duration ttl = cluster.nodeTimeout();
        Duration timeout = cluster.startupTimeout();
        long grace = cluster.nodeTimeout().plus(cluster.heartbeatInterval()).toMillis();
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try (RedisConnection connection = connections.getConnection()) {
                @SuppressWarnings("unchecked")
                var redis = (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
                long wait = redis.<Long>eval(GRACE, ScriptOutputType.INTEGER, new byte[][] {keys.epoch()},
                        Long.toString(grace).getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
                if (wait > 0) {
                    log.info("Cluster keys are new in Redis: waiting " + wait + " ms for live nodes to take their "
                            + "session id slots back before claiming one");
                    Thread.sleep(wait);
                    continue;
                }
                for (int attempt = 0; attempt < SLOTS; attempt++) {
                    long turn = redis.incr(keys.slotCounter()).get(5, TimeUnit.SECONDS);
                    int candidate = (int) ((turn - 1) % SLOTS) + 1;
                    String taken = redis.set(keys.slot(candidate), id.getBytes(StandardCharsets.UTF_8),
                            SetArgs.Builder.nx().px(ttl.toMillis())).get(5, TimeUnit.SECONDS);
                    if ("OK".equals(taken)) {
                        slot = candidate;
                        log.info("Cluster node " + id + " holds session id slot " + candidate);
                        return;
                    }
                }
                throw new IllegalStateException("All " + SLOTS + " session id slots are held by live nodes");
            } catch (IllegalStateException full) {
                throw full;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                last = e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
                log.warn("Cannot reach Redis to claim a session id slot (" + e + "); retrying");
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("Redis gave no session id slot within " + timeout
                + " (servercore.cluster.startup-timeout): is spring.data.redis.* right?", last);
    }
}
