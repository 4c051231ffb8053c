package dev.servercore.protocol;

import java.nio.charset.StandardCharsets;

import dev.servercore.core.ProtocolException;
import dev.servercore.game.BodyReader;
import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** C_JoinRoom (5): client to server; 1..32 bytes of [A-Za-z0-9_-], anything else is a protocol error. */
public record JoinRoom(String room) implements Packet {

    public static final int ID = 5;
    public static final int MAX_NAME_BYTES = 32;
    public static final PacketType<JoinRoom> TYPE = PacketType.of(ID, JoinRoom::read,
            (join, out) -> out.stringToEnd(join.room())).maxBodySize(MAX_NAME_BYTES);

    public JoinRoom {
        if (!isValidName(room)) {
            throw new ProtocolException("C_JoinRoom: bad room name");
        }
    }

    @Override
    public PacketType<JoinRoom> type() {
        return TYPE;
    }

    public static boolean isValidName(String room) {
        if (room == null || room.isEmpty() || room.length() > MAX_NAME_BYTES) {
            return false;
        }
        for (int i = 0; i < room.length(); i++) {
            if (!isNameChar(room.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    /** The name's bytes are checked as they are (ASCII), before any text is made of them. */
    private static JoinRoom read(BodyReader in) {
        if (!in.hasRemaining()) {
            throw new ProtocolException("C_JoinRoom: bad room name");
        }
        byte[] name = in.bytesToEnd();
        for (byte b : name) {
            if (!isNameChar(b)) {
                throw new ProtocolException("C_JoinRoom: bad room name");
            }
        }
        return new JoinRoom(new String(name, StandardCharsets.US_ASCII));
    }
}
