package dev.servercore.dummyclient;

import com.example.mygame.MyGameApplication;
import dev.servercore.core.Listener;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @SpringBootTest} of the dummyclient profile keeps its JVM (the run's verdict is its exit code, not an
 * exit): were the process ended, this test would not report at all.
 */
@SpringBootTest(classes = MyGameApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.profiles.active=dummyclient", "servercore.connector.host=127.0.0.1", "servercore.connector.port=1",
        "servercore.dummyclient.sessions=1", "servercore.dummyclient.timeout=1s"})
class DummyClientInSpringBootTestTest {

    @Autowired
    DummyClient client;
    @Autowired
    ObjectProvider<Listener> listener;

    @Test
    void theRunHasItsVerdictAndTheJvmGoesOn() {
        assertThat(client.getExitCode()).as("no server on port 1: the run failed").isEqualTo(1);
        assertThat(listener.getIfAvailable()).as("the profile's client serves no game port").isNull();
    }
}
