package dev.servercore.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.servercore.ServerCoreApplication;
import dev.servercore.cluster.RedisBackplane;
import dev.servercore.core.Listener;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Gateway nodes of one cluster in this JVM: each a whole server-profile application with its own game
 * port and actuator (free loopback ports), sharing rooms through a real Redis.
 */
public final class ClusterNodes implements AutoCloseable {

    private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    private final RedisServer redis;
    private final String keyPrefix = "test" + System.nanoTime();

    public ClusterNodes(RedisServer redis) {
        this.redis = redis;
    }

    /** Another node; {@code settings} on top of the cluster's. */
    public ConfigurableApplicationContext start(Map<String, Object> settings) {
        Map<String, Object> properties = new java.util.HashMap<>(Map.of(
                "spring.profiles.active", "server",
                "management.server.port", 0,
                "servercore.listener.port", 0,
                "servercore.listener.bind-address", "127.0.0.1",
                "servercore.cluster.backplane", "redis",
                "servercore.cluster.key-prefix", keyPrefix,
                "spring.data.redis.host", "127.0.0.1",
                "spring.data.redis.port", redis.port()));
        // the tests chat and move as machines do, faster than the demo lets a person
        for (String packet : new String[] {"chat", "move"}) {
            properties.put("servercore.demo." + packet + "-per-second", 10_000);
            properties.put("servercore.demo." + packet + "-burst", 10_000);
        }
        properties.putAll(settings);
        ConfigurableApplicationContext node = run(properties);
        nodes.add(node);
        return node;
    }

    /** The application with these settings as command-line arguments (above application.yml). */
    public static ConfigurableApplicationContext run(Map<String, Object> settings) {
        String[] args = settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(ServerCoreApplication.class).run(args);
    }

    public ConfigurableApplicationContext start() {
        return start(Map.of());
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public static int gamePort(ConfigurableApplicationContext node) {
        return node.getBean(Listener.class).port();
    }

    /** The node's actuator: on its management port, or on its server port where it has no port of its own. */
    public static int httpPort(ConfigurableApplicationContext node) {
        String management = node.getEnvironment().getProperty("local.management.port");
        return Integer.parseInt(management != null ? management : node.getEnvironment().getProperty("local.server.port"));
    }

    public static RedisBackplane backplane(ConfigurableApplicationContext node) {
        return node.getBean(RedisBackplane.class);
    }

    @Override
    public void close() {
        for (ConfigurableApplicationContext node : nodes) {
            node.close();
        }
        nodes.clear();
    }
}
