package dev.servercore.cluster;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * {@code servercore.cluster.backplane=redis} in an application that did not add Redis: startup stops with a message
 * that names the dependency, rather than run as a single node that believes it is one of a cluster (the library
 * brings Redis only to those who ask for it).
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "servercore.cluster", name = "backplane", havingValue = "redis")
@ConditionalOnMissingClass("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
public class ClusterWithoutRedisAutoConfiguration implements InitializingBean {

    static final String MESSAGE = "servercore.cluster.backplane=redis needs Redis on the classpath: add the "
            + "dependency org.springframework.boot:spring-boot-starter-data-redis (ServerCore brings it only to "
            + "those who ask), or set servercore.cluster.backplane=none";

    @Override
    public void afterPropertiesSet() {
        throw new IllegalStateException(MESSAGE);
    }
}
