package com.example.mygame;

import dev.servercore.core.Session;
import dev.servercore.game.Room;
import dev.servercore.game.RoomListener;
import org.springframework.stereotype.Component;

/** Room logic: runs as a job of the room, never on an event loop, one at a time per room. */
@Component
class Greeter implements RoomListener {

    @Override
    public void onJoin(Room room, Session session) {
        room.broadcast(new Shout("player " + session.id() + " arrived; " + room.size() + " here"));
    }
}
