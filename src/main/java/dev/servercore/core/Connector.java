package dev.servercore.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Opens sessions to one remote endpoint, any number of them: the C# ServerCore {@code Connector}. One
 * Spring Integration NIO client factory per event loop, in single-use mode, so each
 * {@code getConnection()} is a new connection carrying a new session from the session factory; sessions
 * are spread over the loops in turn. Metrics are tagged {@code role=client}.
 */
public final class Connector extends Endpoint {

    private static final Log log = LogFactory.getLog(Connector.class);
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final List<LoopClientFactory> factories = new ArrayList<>();
    private final AtomicInteger nextFactory = new AtomicInteger();
    private final ServerCoreProperties.ConnectorProperties properties;
    private final String target;
    private final Counter retries;
    private final OpeningRules opening;
    private final List<SessionKeeper> keepers = new ArrayList<>();
    /** Connecting blocks (up to the connect timeout): never on a loop. Made anew by each start. */
    private volatile ExecutorService connectThreads;
    private volatile boolean accepting;

    public Connector(String name, ServerCoreProperties.ConnectorProperties connector,
            ServerCoreProperties.SessionProperties session, Supplier<? extends Session> sessionFactory,
            SessionRegistry registry, MeterRegistry meters, BeanFactory beanFactory, ApplicationEventPublisher events) {
        super("client", name, loopCount(connector.getEventLoops()), session.toSettings(java.time.Duration.ZERO,
                Integer.MAX_VALUE), registry, meters, session.getShutdownDrainTimeout());
        this.properties = connector;
        this.target = connector.getHost() + ":" + connector.getPort();
        this.retries = Counter.builder("servercore.connect.retries")
                .description("Reconnect attempts of kept sessions, after a loss or a failed attempt")
                .tags("role", "client", "endpoint", name).register(meters);
        SessionConnections sessions = new SessionConnections(sessionFactory, events);
        this.opening = new OpeningRules(false, 0, TlsSockets.transports(connector.getTls(), "servercore.connector.tls",
                false, name), connector.getTls().getHandshakeTimeout().toNanos());
        for (EventLoop loop : loops) {
            LoopClientFactory factory = new LoopClientFactory(connector.getHost(), connector.getPort(),
                    connector.getConnectTimeout(), loop, sessions, opening);
            configure(factory, name + "-" + factories.size(), connector.isTcpNoDelay(), beanFactory, events);
            factories.add(factory);
        }
    }

    @Override
    void doStart() {
        connectThreads = IoThreads.newExecutor("servercore-" + name() + "-connect-");
        try {
            factories.forEach(LoopClientFactory::start);
        } catch (RuntimeException e) {
            factories.forEach(LoopClientFactory::stop);
            connectThreads.shutdown();
            throw e;
        }
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        for (LoopClientFactory factory : factories) {
            while (factory.loop().selector() == null) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(factory.loop().name() + " did not start");
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while starting", e);
                }
            }
        }
        accepting = true;
    }

    /**
     * Opens one session; it completes once the session is open (its {@code onConnected} has run). A failed
     * connect is logged and counted ({@code servercore.connect.failures}); the future then completes
     * exceptionally, never the caller.
     */
    public CompletableFuture<Session> connect() {
        return attempt().whenComplete((session, failure) -> {
            if (failure != null) {
                log.warn("Connect to " + target + " failed: " + failure.getMessage());
            }
        });
    }

    /**
     * Keeps {@code count} sessions connected: each one lost for any reason but a local close
     * ({@link Session#disconnect()}, {@link Session#abort()}) or shutdown is replaced by a new one, and a
     * failed connect is tried again, after an exponential backoff with jitter
     * ({@code servercore.connector.reconnect.*}). Every retry is counted in {@code servercore.connect.retries}.
     */
    public void keepConnected(int count) {
        synchronized (keepers) {
            for (int i = 0; i < count; i++) {
                SessionKeeper keeper = new SessionKeeper(this, properties.getReconnect(), keepers.size());
                keepers.add(keeper);
                keeper.start();
            }
        }
    }

    /** One connect attempt; counted when it fails, logged by the caller. */
    CompletableFuture<Session> attempt() {
        CompletableFuture<Session> result = new CompletableFuture<>();
        if (!accepting) {
            result.completeExceptionally(new IllegalStateException("connector to " + target + " is not running"));
            return result;
        }
        LoopClientFactory factory = factories.get(Math.floorMod(nextFactory.getAndIncrement(), factories.size()));
        try {
            connectThreads.execute(() -> {
                try {
                    SessionConnection connection = (SessionConnection) factory.getConnection(); // open by now
                    result.complete(connection.session());
                } catch (Exception e) {
                    context.metrics().connectFailed();
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException stopped) {
            result.completeExceptionally(new IllegalStateException("connector to " + target + " has stopped"));
        }
        return result;
    }

    @Override
    OpeningRules opening() {
        return opening;
    }

    void retried() {
        retries.increment();
    }

    boolean isAccepting() {
        return accepting;
    }

    public String target() {
        return target;
    }

    @Override
    void stopAcceptingSessions() {
        accepting = false;
        synchronized (keepers) {
            keepers.forEach(SessionKeeper::stop);
        }
    }

    @Override
    void stopFactories() {
        factories.forEach(LoopClientFactory::stop);
        connectThreads.shutdown();
        try {
            connectThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
