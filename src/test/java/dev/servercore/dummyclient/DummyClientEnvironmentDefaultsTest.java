package dev.servercore.dummyclient;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** A game's application run with the dummyclient profile is a client: its listener is off unless it says so. */
class DummyClientEnvironmentDefaultsTest {

    private static StandardEnvironment environment(Map<String, Object> settings, String... profiles) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("app", settings));
        environment.setActiveProfiles(profiles);
        new DummyClientEnvironmentDefaults().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void theDummyClientProfileTurnsTheListenerOff() {
        assertThat(environment(Map.of(), "dummyclient").getProperty("servercore.listener.enabled")).isEqualTo("false");
    }

    @Test
    void anApplicationsOwnSettingWinsAndWithoutTheProfileNothingChanges() {
        assertThat(environment(Map.of("servercore.listener.enabled", "true"), "dummyclient")
                .getProperty("servercore.listener.enabled")).isEqualTo("true");
        assertThat(environment(Map.of(), "server").getProperty("servercore.listener.enabled")).isNull();
    }
}
