package dev.servercore.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import dev.servercore.core.LoginDirectory;
import dev.servercore.core.ThrottledLog;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Who is logged in where, across the cluster, on Redis: a key per principal names the node and session that
 * hold it ({@code SET ... GET}, so Redis orders two logins of one principal however close they come, and each
 * learns whom it displaced); a displaced session elsewhere is told through its node's channel, and that node
 * kicks it with {@code S_Kick(duplicate_login)}. A session that ends deletes its key only if it still holds it.
 * Every Redis command runs on this directory's own thread, in the order this node's logins came; none on an
 * event loop. While Redis is unreachable, logins go on and only this node's duplicates are found.
 */
public final class RedisLoginDirectory implements LoginDirectory, SmartLifecycle {

    private static final Log log = LogFactory.getLog(RedisLoginDirectory.class);
    private static final ThrottledLog failures = new ThrottledLog(log);
    /** A claim's key lives this long, renewed while the session lasts: a node that dies leaves none for longer. */
    static final Duration CLAIM_TTL = Duration.ofHours(1);
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """;

    private final LettuceConnectionFactory connections;
    private final ClusterNode node;
    private final String keyPrefix;
    private final byte[] ownChannel;
    private volatile BiConsumer<String, Integer> displace = (principal, session) -> { };
    private volatile ScheduledExecutorService worker;
    private RedisConnection commandConnection;
    private RedisClusterAsyncCommands<byte[], byte[]> redis;
    private StatefulRedisPubSubConnection<byte[], byte[]> subscription;
    /** The worker's own: this node's claims, principal to session id, renewed before they expire. */
    private final Map<String, Integer> claims = new HashMap<>();

    RedisLoginDirectory(LettuceConnectionFactory connections, ClusterNode node, String keyPrefix) {
        this.connections = connections;
        this.node = node;
        this.keyPrefix = keyPrefix;
        this.ownChannel = bytes(keyPrefix + ":displace:" + node.id());
    }

    @Override
    public void attach(BiConsumer<String, Integer> displace) {
        this.displace = displace;
    }

    @Override
    public CompletionStage<?> claimed(String principal, int sessionId) {
        CompletableFuture<Void> recorded = new CompletableFuture<>();
        boolean queued = onWorker(() -> {
            claims.put(principal, sessionId);
            byte[] holder = bytes(node.id() + " " + sessionId);
            try {
                redis.setGet(key(principal), holder, SetArgs.Builder.ex(CLAIM_TTL.toSeconds()))
                        .whenComplete((previous, failure) -> {
                            if (failure != null) {
                                failed("a login's claim", failure);
                            } else if (previous != null) {
                                displaced(principal, new String(previous, StandardCharsets.UTF_8));
                            }
                            recorded.complete(null);
                        });
            } catch (RuntimeException e) {
                recorded.complete(null);
                throw e;
            }
        });
        if (!queued) {
            recorded.complete(null);
        }
        return recorded;
    }

    @Override
    public void released(String principal, int sessionId) {
        onWorker(() -> {
            claims.remove(principal, sessionId);
            redis.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] {key(principal)},
                    bytes(node.id() + " " + sessionId)).whenComplete((deleted, failure) -> {
                        if (failure != null) {
                            failed("a login's release", failure);
                        }
                    });
        });
    }

    /** The holder this claim replaced: on another node, that node is told to kick its session. */
    private void displaced(String principal, String holder) {
        int space = holder.indexOf(' ');
        if (space < 0) {
            return;
        }
        String otherNode = holder.substring(0, space);
        if (otherNode.equals(node.id())) {
            return; // this node's own older session: kicked already, here
        }
        redis.publish(bytes(keyPrefix + ":displace:" + otherNode), bytes(holder.substring(space + 1) + " " + principal))
                .whenComplete((receivers, failure) -> {
                    if (failure != null) {
                        failed("a displacement", failure);
                    }
                });
    }

    /** From Lettuce's thread: another node took one of this node's principals. */
    private void received(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        if (space < 0) {
            return;
        }
        try {
            displace.accept(text.substring(space + 1), Integer.parseInt(text.substring(0, space)));
        } catch (NumberFormatException malformed) {
            // not a message of this directory
        }
    }

    /** Every claim of this node is renewed well before its key would expire. */
    private void renew() {
        for (Map.Entry<String, Integer> claim : claims.entrySet()) {
            redis.expire(key(claim.getKey()), CLAIM_TTL.toSeconds()).whenComplete((renewed, failure) -> {
                if (failure != null) {
                    failed("renewing a login's claim", failure);
                }
            });
        }
    }

    private void failed(String what, Throwable failure) {
        failures.warn(() -> "Redis failed " + what + " (" + failure + "): only this node's duplicate logins are "
                + "found until it answers again");
    }

    private byte[] key(String principal) {
        return bytes("{" + keyPrefix + "}:login:" + principal);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** False when the task will never run (the directory is stopped or stopping). */
    private boolean onWorker(Runnable task) {
        ScheduledExecutorService w = worker;
        if (w == null) {
            return false;
        }
        try {
            w.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    failed("a command", e); // Lettuce refuses commands while disconnected
                }
            });
            return true;
        } catch (RejectedExecutionException stopping) {
            return false;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void start() {
        if (worker != null) {
            return;
        }
        commandConnection = connections.getConnection();
        redis = (RedisClusterAsyncCommands<byte[], byte[]>) commandConnection.getNativeConnection();
        AbstractRedisClient client = connections.getRequiredNativeClient();
        subscription = client instanceof RedisClusterClient cluster ? cluster.connectPubSub(ByteArrayCodec.INSTANCE)
                : ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                received(message);
            }
        });
        subscription.async().subscribe(ownChannel); // Lettuce subscribes it again after a reconnect
        worker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "servercore-logins");
            thread.setDaemon(true);
            return thread;
        });
        long renewEvery = CLAIM_TTL.toSeconds() / 4;
        worker.scheduleWithFixedDelay(() -> {
            try {
                renew();
            } catch (RuntimeException e) {
                failed("renewing the logins' claims", e);
            }
        }, renewEvery, renewEvery, TimeUnit.SECONDS);
    }

    @Override
    public void stop() {
        ScheduledExecutorService stopping = worker;
        if (stopping == null) {
            return;
        }
        worker = null;
        stopping.shutdown();
        try {
            stopping.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscription.close();
        commandConnection.close();
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    /** Started before the listener, stopped after it (its sessions' releases are sent before this stops). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2;
    }
}
