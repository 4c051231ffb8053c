package dev.servercore.core;

import java.util.Map;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.RecordingSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@LoopbackServerTest
class EndpointLifecycleTest {

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    @Test
    void theListenersHealthIsDownWhenItIsNotBound() {
        Listener listener = Endpoints.listener(context, "test-health", ServerCoreProperties.defaults(), RecordingSession::new);
        ListenerHealthIndicator health = new ListenerHealthIndicator(listener);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        listener.stop();
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
    }

    @Test
    void aPortAlreadyTakenFailsTheListenersStartLoudly() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                    "listener.bind-address", "127.0.0.1",
                    "listener.port", taken.getLocalPort()));
            Listener listener = new Listener("test-taken", properties.getListener(), properties.getSession(),
                    RecordingSession::new, new SessionRegistry(), meters, context, context);
            assertThatThrownBy(listener::start).hasMessageContaining("Could not listen");
            assertThat(listener.isListening()).isFalse();
        }
    }

    @Test
    void aFailedConnectCompletesTheFutureExceptionallyAndIsCounted() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Connector connector = Endpoints.connector(context, "test-refused", closedPort, RecordingSession::new);
        try {
            CompletableFuture<Session> connect = connector.connect();
            assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(meters.get("servercore.connect.failures").tag("endpoint", "test-refused").counter().count())
                    .isEqualTo(1);
            assertThat(connector.sessions().count()).isZero();
        } finally {
            connector.stop();
        }
    }
}
