package com.example.mygame;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** Packet 100, both ways: a line of text for everyone in the room, at most 200 bytes of UTF-8. */
public record Shout(String text) implements Packet {

    public static final int ID = 100;
    public static final int MAX_TEXT_BYTES = 200;
    /** A longer body, or text that is not UTF-8, is the sender's protocol error: the engine kicks that one client. */
    public static final PacketType<Shout> TYPE = PacketType.of(ID, in -> new Shout(in.stringToEnd()),
            (shout, out) -> out.stringToEnd(shout.text())).maxBodySize(MAX_TEXT_BYTES);

    @Override
    public PacketType<Shout> type() {
        return TYPE;
    }
}
