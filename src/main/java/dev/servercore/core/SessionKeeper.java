package dev.servercore.core;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps one outbound session alive for a {@link Connector}: connects, and when the session is lost or
 * a connect fails, tries again after an exponential backoff with jitter, until the connector stops (or
 * {@code max-attempts} failures in a row).
 */
final class SessionKeeper {

    private static final Log log = LogFactory.getLog(SessionKeeper.class);

    private final Connector connector;
    private final ServerCoreProperties.Reconnect policy;
    private final int slot;
    /** Failures in a row; reset by a successful connect. Touched by one attempt at a time. */
    private int failures;
    private volatile boolean stopped;

    SessionKeeper(Connector connector, ServerCoreProperties.Reconnect policy, int slot) {
        this.connector = connector;
        this.policy = policy;
        this.slot = slot;
    }

    void start() {
        connect();
    }

    void stop() {
        stopped = true;
    }

    private void connect() {
        if (stopped || !connector.isAccepting()) {
            return;
        }
        connector.attempt().whenComplete((session, failure) -> {
            if (failure != null) {
                failures++;
                if (failures == 1) {
                    log.warn(connector.name() + " session " + slot + ": connect to " + connector.target() + " failed ("
                            + failure.getMessage() + "); retrying with backoff");
                }
                retryLater();
                return;
            }
            if (failures > 0) {
                log.info(connector.name() + " session " + slot + ": connected again after " + failures + " attempts");
            }
            failures = 0;
            session.whenEnded(() -> {
                CloseReason reason = session.closeReason();
                if (reason != CloseReason.LOCAL && reason != CloseReason.SHUTDOWN && !stopped) {
                    log.warn(connector.name() + " session " + slot + " lost (" + reason.tag() + "); reconnecting");
                    retryLater();
                }
            });
        });
    }

    private void retryLater() {
        if (stopped) {
            return;
        }
        if (policy.getMaxAttempts() > 0 && failures >= policy.getMaxAttempts()) {
            log.error(connector.name() + " session " + slot + ": giving up after " + failures + " failed attempts");
            return;
        }
        connector.retried();
        EngineTimer.INSTANCE.schedule(this::connect, backoffMillis(policy, failures, ThreadLocalRandom.current().nextDouble()),
                TimeUnit.MILLISECONDS);
    }

    /**
     * After n failures in a row (0 after a loss), wait min(max, initial * multiplier^(n-1)), less up to
     * {@code jitter} of it: {@code random} in [0, 1) picks how much.
     */
    static long backoffMillis(ServerCoreProperties.Reconnect policy, int failures, double random) {
        double delay = policy.getInitialDelay().toMillis() * Math.pow(policy.getMultiplier(), Math.max(0, failures - 1));
        delay = Math.min(delay, policy.getMaxDelay().toMillis());
        return Math.round(delay * (1 - policy.getJitter() * random));
    }
}
