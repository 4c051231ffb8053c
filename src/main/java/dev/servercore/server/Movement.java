package dev.servercore.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.servercore.core.Session;
import dev.servercore.game.Room;
import dev.servercore.game.RoomLogic;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Moves;

/**
 * The demo's room type: positions, sent once per tick: the latest position of each member that moved since the
 * last tick (several moves coalesce into the last), to every member, in as few S_Moves frames as fit. A move lands
 * in the room's mailbox straight from the mover's event loop (one map write: no job per move) and asks for the
 * room's next tick; the tick, a job of the room, takes what the mailbox holds. The mailbox is the room's and goes
 * with it. With the rooms' batching off, each move is a job that broadcasts it at once. Also answers a join with
 * S_JoinedRoom.
 */
public class Movement extends RoomLogic {

    private final int maxEntriesPerFrame;
    /** The latest move of each mover since the last tick: written by event loops, taken by ticks. */
    private final Map<Session, Move> mailbox = new ConcurrentHashMap<>();

    public Movement(int maxFrameSize) {
        this.maxEntriesPerFrame = Moves.maxEntries(maxFrameSize);
    }

    /** Moves waiting for the tick (for tests). */
    int waiting() {
        return mailbox.size();
    }

    /** From the mover's event loop; the mover is (or was, a moment ago) a member of this room. */
    void moved(Session session, Move move) {
        Room room = room();
        if (!room.isBatching()) {
            Moves.Entry entry = new Moves.Entry(session.id(), move.x(), move.y());
            room.execute(() -> {
                if (room.members().contains(session)) {
                    room.broadcastNow(new Moves(List.of(entry)));
                }
            });
            return;
        }
        mailbox.put(session, move);
        room.requestTick(); // a room dropped since asks for nothing: its mailbox goes with it
    }

    @Override
    protected void onJoin(Session session) {
        answerJoin(room(), session);
    }

    /**
     * S_JoinedRoom for the room the client asked for last, once: from onJoin (before anything of the new room
     * reaches it), or when it asked for the room it is in already (no onJoin then).
     */
    static void answerJoin(Room room, Session session) {
        if (session instanceof GameSession game && game.answers(room.name())) {
            game.send(new JoinedRoom(session.id(), room.clusterSize(), room.name()));
        }
    }

    @Override
    protected void onLeave(Session session) {
        mailbox.remove(session);
    }

    @Override
    protected void onTick() {
        if (mailbox.isEmpty()) {
            return;
        }
        Room room = room();
        List<Moves.Entry> entries = new ArrayList<>(mailbox.size());
        for (Iterator<Map.Entry<Session, Move>> it = mailbox.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Session, Move> latest = it.next();
            Session mover = latest.getKey();
            Move move = latest.getValue();
            mailbox.remove(mover, move); // a newer move that landed meanwhile stays for the next tick
            if (room.members().contains(mover)) { // a move sent just before leaving stays out
                entries.add(new Moves.Entry(mover.id(), move.x(), move.y()));
            }
        }
        for (int from = 0; from < entries.size(); from += maxEntriesPerFrame) {
            room.broadcast(new Moves(entries.subList(from, Math.min(entries.size(), from + maxEntriesPerFrame))));
        }
    }
}
