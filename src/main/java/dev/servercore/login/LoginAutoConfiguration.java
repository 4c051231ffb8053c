package dev.servercore.login;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.Authenticator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The login's default verifier: a {@link JwtAuthenticator} when {@code servercore.login.jwt.hmac-secret} or
 * {@code jwk-set-uri} is set and the application declares no {@link Authenticator} of its own.
 */
@AutoConfiguration(beforeName = "dev.servercore.autoconfigure.ServerCoreAutoConfiguration")
@EnableConfigurationProperties(LoginProperties.class)
public class LoginAutoConfiguration {

    /** Threads that verify JWK-set tokens; the queue beyond them is bounded, and a login past it is refused. */
    private static final int VERIFIER_THREADS = 2;
    private static final int VERIFIER_QUEUE = 10_000;

    @Bean
    @ConditionalOnMissingBean(Authenticator.class)
    @ConditionalOnProperty(prefix = "servercore.login.jwt", name = "hmac-secret")
    JwtAuthenticator hmacJwtAuthenticator(LoginProperties properties) {
        return JwtAuthenticator.hmac(properties.getJwt());
    }

    @Bean
    @ConditionalOnMissingBean(Authenticator.class)
    @ConditionalOnProperty(prefix = "servercore.login.jwt", name = "jwk-set-uri")
    JwtAuthenticator jwkSetJwtAuthenticator(LoginProperties properties) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor verifiers = new ThreadPoolExecutor(VERIFIER_THREADS, VERIFIER_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(VERIFIER_QUEUE), task -> {
                    Thread thread = new Thread(task, "servercore-login-" + count.getAndIncrement());
                    thread.setDaemon(true);
                    return thread;
                });
        verifiers.allowCoreThreadTimeOut(true);
        return JwtAuthenticator.jwkSet(properties.getJwt(), verifiers);
    }
}
