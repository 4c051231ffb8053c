package com.example.mygame;

import dev.servercore.game.PacketHandler;
import dev.servercore.game.Room;
import dev.servercore.game.Rooms;
import org.springframework.stereotype.Component;

@Component
class ShoutHandlers {

    private final Rooms rooms;

    ShoutHandlers(Rooms rooms) {
        this.rooms = rooms;
    }

    /**
     * On the player's event loop: no blocking here. The shout goes out with the room's next tick, on the player's
     * behalf: within what one player may put into a tick (servercore.rooms.member-bytes-per-tick).
     */
    @PacketHandler
    void shout(Player player, Shout shout) {
        Room room = rooms.roomOf(player); // null until its join is done
        if (room != null) {
            room.broadcast(player, new Shout(player.id() + ": " + shout.text()));
        }
    }
}
