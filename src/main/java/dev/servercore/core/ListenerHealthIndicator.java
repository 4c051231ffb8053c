package dev.servercore.core;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** {@code /actuator/health}: DOWN unless the game port is bound and accepting. */
public final class ListenerHealthIndicator implements HealthIndicator {

    private final Listener listener;

    public ListenerHealthIndicator(Listener listener) {
        this.listener = listener;
    }

    @Override
    public Health health() {
        Health.Builder health = listener.isListening() ? Health.up() : Health.down();
        return health.withDetail("port", listener.port())
                .withDetail("sessions", listener.sessions().count())
                .build();
    }
}
