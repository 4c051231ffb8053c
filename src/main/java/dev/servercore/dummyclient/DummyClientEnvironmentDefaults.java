package dev.servercore.dummyclient;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.Profiles;

/**
 * Under the {@code dummyclient} profile, the application is a client: its game listener is off unless it says
 * otherwise ({@code servercore.listener.enabled}, at the lowest precedence), so a game's own jar run with
 * {@code --spring.profiles.active=dummyclient} load-tests a server instead of becoming one.
 */
public class DummyClientEnvironmentDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "servercoreDummyClientDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.acceptsProfiles(Profiles.of("dummyclient"))) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE,
                    Map.of("servercore.listener.enabled", "false")));
        }
    }
}
