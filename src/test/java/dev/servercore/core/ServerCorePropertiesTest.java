package dev.servercore.core;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.servercore.autoconfigure.ServerCoreAutoConfiguration;
import dev.servercore.cluster.ClusterProperties;
import dev.servercore.dummyclient.DummyClientProperties;
import dev.servercore.game.RoomsProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/** The servercore.* tree: immutable, its defaults in one place, bad values refused at startup. */
class ServerCorePropertiesTest {

    @Test
    void noPropertiesClassHasASetterOrAFieldThatIsNotFinal() {
        List<String> mutable = new ArrayList<>();
        List<Class<?>> classes = new ArrayList<>(List.of(ServerCoreProperties.class, DummyClientProperties.class,
                RoomsProperties.class, ClusterProperties.class));
        classes.addAll(List.of(ServerCoreProperties.class.getDeclaredClasses()));
        for (Class<?> type : classes) {
            if (type.isEnum()) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().startsWith("set") && Modifier.isPublic(method.getModifiers())) {
                    mutable.add(type.getSimpleName() + "." + method.getName());
                }
            }
            for (var field : type.getDeclaredFields()) {
                if (!Modifier.isFinal(field.getModifiers()) && !field.isSynthetic()) {
                    mutable.add(type.getSimpleName() + "." + field.getName());
                }
            }
        }
        assertThat(mutable).isEmpty();
    }

    @Test
    void theDefaultsComeFromTheirOnePlaceAndSettingsBindAsTheApplicationWould() {
        ServerCoreProperties defaults = ServerCoreProperties.defaults();
        assertThat(defaults.getListener().getPort()).isEqualTo(7777);
        assertThat(defaults.getListener().getIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.getListener().getMode()).isEqualTo(ServerCoreProperties.Mode.FRAMED);
        assertThat(defaults.getListener().getTls().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(defaults.getSession().getFrameTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.getConnector().getReconnect().getJitter()).isEqualTo(0.5);
        ServerCoreProperties set = ServerCoreProperties.of(Map.of("listener.port", 0, "listener.mode", "raw",
                "session.send-queue-limit", "2MB"));
        assertThat(set.getListener().getPort()).isZero();
        assertThat(set.getListener().getMode()).isEqualTo(ServerCoreProperties.Mode.RAW);
        assertThat(set.getSession().getSendQueueLimit().toMegabytes()).isEqualTo(2);
        assertThat(set.getSession().getWriteTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(DummyClientProperties.of(Map.of()).getSessions()).isEqualTo(10);
    }

    @Test
    void theConnectionLimitsProtectByDefaultAndExemptOnlyTheHostsLoopback() throws Exception {
        ServerCoreProperties.ListenerProperties listener = ServerCoreProperties.defaults().getListener();
        assertThat(listener.isProxyProtocol()).isFalse();
        assertThat(listener.getProxyProtocolTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(listener.getPerAddress().getMaxSessions()).isEqualTo(256);
        assertThat(listener.getPerAddress().getConnectRate()).isEqualTo(32);
        assertThat(listener.getPerAddress().getConnectBurst()).isEqualTo(256);
        assertThat(listener.getPerAddress().exemptAddresses()).containsExactlyInAnyOrder(
                java.net.InetAddress.getByName("127.0.0.1"), java.net.InetAddress.getByName("::1"));
        assertThat(listener.getTls().getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(listener.getTls().getHandshakeQueue()).isEqualTo(1024);
        assertThat(listener.getTls().getHandshakeThreadCount())
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(ServerCoreProperties.of(Map.of("listener.per-address.exempt", "10.0.0.7, 2001:db8::1"))
                .getListener().getPerAddress().exemptAddresses()).hasSize(2);
    }

    @Test
    void aBadConnectionSettingStopsTheStartupNamingIt() {
        runner.withPropertyValues("servercore.listener.per-address.exempt=balancer.internal").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.listener")
                        .hasStackTraceContaining("per-address.exempt must list IP addresses"));
        runner.withPropertyValues("servercore.listener.per-address.exempt=10.0.0.300").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("per-address.exempt"));
        runner.withPropertyValues("servercore.listener.tls.handshake-timeout=0s").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("tls.handshake-timeout must be above 0"));
        runner.withPropertyValues("servercore.listener.proxy-protocol-timeout=0s").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("proxy-protocol-timeout must be above 0"));
        runner.withPropertyValues("servercore.listener.per-address.connect-burst=0").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.listener.perAddress.connectBurst"));
        runner.withPropertyValues("servercore.connector.tls.handshake-queue=0").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.connector.tls.handshakeQueue"));
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class, ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.enabled=false");

    @Test
    void aBadValueStopsTheStartupNamingIt() {
        runner.withPropertyValues("servercore.session.frame-timeout=-1s").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.session")
                        .hasStackTraceContaining("durations must not be negative"));
        runner.withPropertyValues("servercore.listener.port=70000").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.listener.port"));
        runner.withPropertyValues("servercore.rooms.tick-rate=20").run(context -> assertThat(context).hasNotFailed());
    }
}
