package com.example.mygame;

import java.net.InetSocketAddress;

import dev.servercore.game.HandlerSession;
import dev.servercore.game.Rooms;

/** One connected player: it starts in the town square. */
public class Player extends HandlerSession {

    private final Rooms rooms;

    public Player(Rooms rooms) {
        this.rooms = rooms;
    }

    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        // never waits: the stage completes once the player is in town (a join refused for a cap kicks the player)
        rooms.join(this, "town");
    }
}
