package com.example.tag;

import dev.servercore.dummyclient.DummySessionFactory;
import dev.servercore.dummyclient.SessionReport;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/** With --spring.profiles.active=dummyclient the game's jar is its own load test: its sessions are bots. */
@Configuration(proxyBeanMethods = false)
@Profile("dummyclient")
class BotConfiguration {

    @Bean
    DummySessionFactory bots(SessionReport report, @Value("${tag.bots.arena:bots}") String arena) {
        return () -> new TagBot(report, arena);
    }
}
