package dev.servercore.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.ProtocolException;

/** C_JoinRoom (5): client to server; 1..32 bytes of [A-Za-z0-9_-], anything else is a protocol error. */
public record JoinRoom(String room) {

    public static final int ID = 5;
    public static final int MAX_NAME_BYTES = 32;

    public JoinRoom {
        if (!isValidName(room)) {
            throw new ProtocolException("C_JoinRoom: bad room name");
        }
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
    public static JoinRoom decode(ByteBuffer body) {
        int length = body.remaining();
        if (length < 1 || length > MAX_NAME_BYTES) {
            throw new ProtocolException("C_JoinRoom: bad room name");
        }
        byte[] name = new byte[length];
        body.duplicate().get(name);
        for (byte b : name) {
            if (!isNameChar(b)) {
                throw new ProtocolException("C_JoinRoom: bad room name");
            }
        }
        return new JoinRoom(new String(name, StandardCharsets.US_ASCII));
    }

    public byte[] encode() {
        byte[] name = Bodies.utf8(room);
        return Bodies.frame(ID, name.length).put(name).array();
    }
}
