package dev.servercore.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.servercore.autoconfigure.ServerCoreAutoConfiguration;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code servercore.cluster.backplane=redis}: this gateway is one node of a cluster. Its session ids come
 * from a slot it holds in Redis, its rooms are shared with the other nodes through a {@link RedisBackplane},
 * and {@code /actuator/health} shows the backplane. Redis itself is Spring Boot's (spring.data.redis.*:
 * standalone, Sentinel or Cluster).
 */
@AutoConfiguration(before = ServerCoreAutoConfiguration.class, after = DataRedisAutoConfiguration.class)
@ConditionalOnProperty(prefix = "servercore.cluster", name = "backplane", havingValue = "redis")
@ConditionalOnClass(LettuceConnectionFactory.class)
@EnableConfigurationProperties(ClusterProperties.class)
public class ClusterAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ClusterNode clusterNode(ClusterProperties cluster, RedisConnectionFactory connections) {
        ClusterNode node = new ClusterNode(new ClusterKeys(cluster.keyPrefix()));
        node.claimSlot(connections, cluster);
        return node;
    }

    @Bean
    @ConditionalOnMissingBean
    RedisBackplane redisBackplane(RedisConnectionFactory connections, ClusterNode node,
            ClusterProperties properties, ObjectProvider<MeterRegistry> meters) {
        if (!(connections instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("servercore.cluster.backplane=redis needs Lettuce (Spring Boot's default "
                    + "Redis client), not " + connections.getClass().getName());
        }
        return new RedisBackplane(lettuce, node, properties,
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    /** Logins across the cluster: the same principal logging in on another node kicks its older session. */
    @Bean
    @ConditionalOnMissingBean
    RedisLoginDirectory redisLoginDirectory(RedisConnectionFactory connections, ClusterNode node,
            ClusterProperties properties) {
        if (!(connections instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("servercore.cluster.backplane=redis needs Lettuce (Spring Boot's default "
                    + "Redis client), not " + connections.getClass().getName());
        }
        return new RedisLoginDirectory(lettuce, node, properties.keyPrefix());
    }

    @Bean
    @ConditionalOnMissingBean
    BackplaneHealthIndicator backplaneHealthIndicator(RedisBackplane backplane) {
        return new BackplaneHealthIndicator(backplane);
    }

    /** While Redis cannot be reached, commands fail at once instead of piling up in Lettuce's queue. */
    @Bean
    LettuceClientOptionsBuilderCustomizer servercoreRejectWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /** Lettuce reconnects within a second of Redis coming back (its default waits up to 30 s). */
    @Bean
    ClientResourcesBuilderCustomizer servercoreReconnectDelay() {
        return resources -> resources.reconnectDelay(
                Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
    }
}
