package dev.servercore.protocol;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** S_JoinedRoom (6): server to the joiner: its own session id, the room's size with it, the room's name. */
public record JoinedRoom(long sessionId, long members, String room) implements Packet {

    public static final int ID = 6;
    public static final PacketType<JoinedRoom> TYPE = PacketType.of(ID,
            in -> new JoinedRoom(in.u32(), in.u32(), in.stringToEnd()),
            (joined, out) -> out.u32(joined.sessionId()).u32(joined.members()).stringToEnd(joined.room()));
    /** The largest S_JoinedRoom: its two counts and the longest room name. */
    public static final int MAX_FRAME_SIZE = dev.servercore.core.Frames.HEADER_SIZE + 8 + JoinRoom.MAX_NAME_BYTES;

    @Override
    public PacketType<JoinedRoom> type() {
        return TYPE;
    }
}
