package dev.servercore.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.servercore.core.Session;
import dev.servercore.game.Room;
import dev.servercore.game.RoomListener;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Moves;

/**
 * Positions in a room, sent once per tick: the latest position of each member that moved since the last
 * tick (several moves coalesce into the last), to every member, in as few S_Moves frames as fit. Also
 * answers a C_JoinRoom with S_JoinedRoom. Every method runs as a job of its room.
 */
public class Movement implements RoomListener {

    private final int maxEntriesPerFrame;

    public Movement(int maxFrameSize) {
        this.maxEntriesPerFrame = Moves.maxEntries(maxFrameSize);
    }

    /** The moves of one room since its last tick, by session id, in the order members first moved. */
    static final class Moved {
        final Map<Integer, Moves.Entry> latest = new LinkedHashMap<>();

        void moved(Room room, Session session, dev.servercore.protocol.Move move) {
            Moves.Entry entry = new Moves.Entry(session.id(), move.x(), move.y());
            if (room.isBatching()) {
                latest.put(session.id(), entry);
            } else {
                room.broadcastNow(new Moves(List.of(entry)).encode()); // batching off: each move at once
            }
        }
    }

    static Moved of(Room room) {
        Moved moved = room.attachment();
        if (moved == null) {
            moved = new Moved();
            room.attach(moved);
        }
        return moved;
    }

    @Override
    public void onJoin(Room room, Session session) {
        if (session instanceof GameSession game && game.speaksRooms()) {
            session.send(new JoinedRoom(session.id(), room.size(), room.name()).encode());
        }
    }

    @Override
    public void onLeave(Room room, Session session) {
        of(room).latest.remove(session.id());
    }

    @Override
    public void onTick(Room room) {
        Moved moved = of(room);
        if (moved.latest.isEmpty()) {
            return;
        }
        List<Moves.Entry> entries = new ArrayList<>(moved.latest.values());
        moved.latest.clear();
        for (int from = 0; from < entries.size(); from += maxEntriesPerFrame) {
            room.broadcast(new Moves(entries.subList(from, Math.min(entries.size(), from + maxEntriesPerFrame)))
                    .encode());
        }
    }
}
