package com.example.mygame;

import dev.servercore.game.Rooms;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;

@Configuration(proxyBeanMethods = false)
class GameConfiguration {

    /** The session of each connection: prototype-scoped, so every player gets one of its own. */
    @Bean
    @Scope("prototype")
    Player player(Rooms rooms) {
        return new Player(rooms);
    }
}
