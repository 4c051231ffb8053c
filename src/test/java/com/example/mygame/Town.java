package com.example.mygame;

import dev.servercore.core.Session;
import dev.servercore.game.RoomLogic;
import dev.servercore.game.RoomType;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;

/** The logic of the room "town": a new one per room, its state in plain fields, run as jobs of the room. */
@Component
@Scope("prototype")
@RoomType(pattern = "town")
class Town extends RoomLogic {

    private int visitors;

    @Override
    protected void onJoin(Session session) {
        visitors++;
        room().broadcast(new Shout("visitor " + visitors + ", player " + session.id() + " arrived; " + room().size()
                + " here"));
    }
}
