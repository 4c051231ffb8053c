package com.example.tag;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.context.annotation.Scope;

/** The session of each connection: prototype-scoped, so every runner gets one of its own. */
@Configuration(proxyBeanMethods = false)
@Profile("!dummyclient")
class GameConfiguration {

    @Bean
    @Scope("prototype")
    Runner runner() {
        return new Runner();
    }
}
