package dev.servercore.protocol;

import java.nio.ByteBuffer;
import java.util.regex.Pattern;

import dev.servercore.core.ProtocolException;

/** C_JoinRoom (5): client to server; 1..32 bytes of [A-Za-z0-9_-], anything else is a protocol error. */
public record JoinRoom(String room) {

    public static final int ID = 5;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public JoinRoom {
        if (!isValidName(room)) {
            throw new ProtocolException("C_JoinRoom: bad room name");
        }
    }

    public static boolean isValidName(String room) {
        return room != null && NAME.matcher(room).matches();
    }

    public static JoinRoom decode(ByteBuffer body) {
        return new JoinRoom(Bodies.text(Bodies.reader(body), "C_JoinRoom"));
    }

    public byte[] encode() {
        byte[] name = Bodies.utf8(room);
        return Bodies.frame(ID, name.length).put(name).array();
    }
}
