package dev.servercore.server;

import dev.servercore.game.PacketCodec;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.Move;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/** The codecs of the demo packets the server's handlers take as records. */
@Configuration(proxyBeanMethods = false)
@Profile("server")
public class DemoProtocol {

    @Bean
    PacketCodec<JoinRoom> joinRoomCodec() {
        return PacketCodec.of(JoinRoom.ID, JoinRoom.class, JoinRoom::decode);
    }

    @Bean
    PacketCodec<Move> moveCodec() {
        return PacketCodec.of(Move.ID, Move.class, Move::decode);
    }
}
