package dev.servercore.test;

import com.example.mygame.MyGameApplication;
import dev.servercore.autoconfigure.LocalGamePortPublisher;
import dev.servercore.core.Listener;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.ConfigurableEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code @LocalGamePort} in a {@code @SpringBootTest} with {@code servercore.listener.port=0}: the bound port. */
@SpringBootTest(classes = MyGameApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1"})
class LocalGamePortTest {

    @LocalGamePort
    int port;
    @Autowired
    Listener listener;
    @Autowired
    ConfigurableEnvironment environment;

    @Test
    void theFieldHoldsTheBoundPortAndAClientReachesTheGameThere() {
        assertThat(port).isPositive().isEqualTo(listener.port());
        assertThat(environment.getPropertySources().get(LocalGamePortPublisher.SOURCE)).isNotNull();
        try (GameClient client = GameClient.connect(port)) {
            assertThat(client.awaitPacket(100, GameClient.DEFAULT_TIMEOUT).text()).endsWith("arrived; 1 here");
        }
    }

    @Test
    void aParameterGetsItToo(@LocalGamePort int parameter) {
        assertThat(parameter).isEqualTo(listener.port());
    }
}
