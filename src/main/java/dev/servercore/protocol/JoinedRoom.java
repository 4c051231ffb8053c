package dev.servercore.protocol;

import java.nio.ByteBuffer;

/** S_JoinedRoom (6): server to the joiner: its own session id, the room's size with it, the room's name. */
public record JoinedRoom(long sessionId, long members, String room) {

    public static final int ID = 6;
    /** The largest S_JoinedRoom: its two counts and the longest room name. */
    public static final int MAX_FRAME_SIZE = dev.servercore.core.Frames.HEADER_SIZE + 8 + JoinRoom.MAX_NAME_BYTES;

    public static JoinedRoom decode(ByteBuffer body) {
        ByteBuffer in = Bodies.reader(body);
        Bodies.need(in, 8, "S_JoinedRoom");
        long sessionId = Bodies.u32(in);
        long members = Bodies.u32(in);
        return new JoinedRoom(sessionId, members, Bodies.text(in, "S_JoinedRoom"));
    }

    public byte[] encode() {
        byte[] name = Bodies.utf8(room);
        return Bodies.frame(ID, 8 + name.length).putInt((int) sessionId).putInt((int) members).put(name).array();
    }
}
