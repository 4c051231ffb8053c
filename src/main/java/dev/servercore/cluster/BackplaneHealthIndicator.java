package dev.servercore.cluster;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The backplane in {@code /actuator/health}: UP while it reaches Redis, DEGRADED while it does not (the
 * node still serves its own sessions and rooms, so it is not DOWN and its health stays HTTP 200).
 */
public class BackplaneHealthIndicator implements HealthIndicator {

    static final Status DEGRADED = new Status("DEGRADED", "Cross-node room traffic is dropped until Redis is back");

    private final RedisBackplane backplane;

    public BackplaneHealthIndicator(RedisBackplane backplane) {
        this.backplane = backplane;
    }

    @Override
    public Health health() {
        Health.Builder health = backplane.state() == RedisBackplane.State.CONNECTED ? Health.up()
                : Health.status(DEGRADED);
        health.withDetail("state", backplane.state().name().toLowerCase())
                .withDetail("since", backplane.stateSince().toString())
                .withDetail("node", backplane.node().id())
                .withDetail("sessionIdSlot", backplane.node().slot())
                .withDetail("nodes", backplane.nodesSeen());
        if (backplane.problem() != null) {
            health.withDetail("problem", backplane.problem());
        }
        return health.build();
    }
}
