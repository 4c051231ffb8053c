package dev.servercore.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults of other libraries' settings that ServerCore depends on, at the lowest precedence (an
 * application's own settings win), so that every application on the engine has them, not only this
 * repository's application.yml:
 * <ul>
 * <li>health shows its components' states (the listener's, the backplane's) to everyone, their details to no one
 * unless the application says otherwise: a balancer or an operator sees which part is down;</li>
 * <li>Spring Boot's Redis health indicator off: the backplane reports Redis itself, as DEGRADED and never
 * DOWN (a single node has no Redis at all), and DEGRADED is placed between OUT_OF_SERVICE and UP;</li>
 * <li>Redis timeouts of a second: nothing of a game waits on Redis longer (Lettuce's default is 60 s);</li>
 * <li>Lettuce's command timers off: they have no help text, which Prometheus' lint refuses;</li>
 * <li>Lettuce's observation of every command off (Spring Boot turns it on whenever Micrometer is there): the
 * backplane publishes once per room per tick, and an observation of each publish (a timer, a long task timer and
 * their tags, looked up anew per command) took a sixth of Lettuce's thread in the cluster bench's profile.</li>
 * </ul>
 */
public class ServerCoreEnvironmentDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "management.health.redis.enabled", "false",
            "management.endpoint.health.show-components", "always",
            "management.endpoint.health.status.order", "down,out-of-service,degraded,up,unknown",
            "spring.data.redis.timeout", "1s",
            "spring.data.redis.connect-timeout", "1s",
            "management.metrics.enable.lettuce", "false",
            "management.observations.enable.lettuce", "false");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("servercoreDefaults", DEFAULTS));
    }
}
