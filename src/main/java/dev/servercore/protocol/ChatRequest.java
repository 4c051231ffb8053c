package dev.servercore.protocol;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** C_Chat (3): client to server, a line of text for the sender's room. */
public record ChatRequest(String text) implements Packet {

    public static final int ID = 3;
    public static final PacketType<ChatRequest> TYPE = PacketType.of(ID, in -> new ChatRequest(in.stringToEnd()),
            (chat, out) -> out.stringToEnd(chat.text()));

    @Override
    public PacketType<ChatRequest> type() {
        return TYPE;
    }
}
