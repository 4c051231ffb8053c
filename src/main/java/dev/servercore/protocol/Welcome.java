package dev.servercore.protocol;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** S_Welcome (1): server to client, once, first. */
public record Welcome(String text) implements Packet {

    public static final int ID = 1;
    public static final PacketType<Welcome> TYPE = PacketType.of(ID, in -> new Welcome(in.stringToEnd()),
            (welcome, out) -> out.stringToEnd(welcome.text()));
    public static final String TEXT = "Welcome to MMORPG Server!";
    /** The same for every session: encoded once. */
    public static final byte[] FRAME = new Welcome(TEXT).encode();

    @Override
    public PacketType<Welcome> type() {
        return TYPE;
    }
}
