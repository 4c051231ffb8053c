package dev.servercore.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.servercore.core.Session;
import dev.servercore.game.Room;
import dev.servercore.game.RoomListener;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Moves;

/**
 * Positions in rooms, sent once per tick: the latest position of each member that moved since the last
 * tick (several moves coalesce into the last), to every member, in as few S_Moves frames as fit. A move
 * lands in its room's mailbox straight from the mover's event loop (one map write: no job per move) and asks
 * for the room's next tick; the tick, a job of the room, takes what the mailbox holds. A room's mailbox is
 * made by its first join and dropped with it, both in jobs of the room: a move that finds no mailbox (its
 * room gone) is dropped. With the rooms' batching off, each move is a job that broadcasts it at once. Also
 * answers a C_JoinRoom with S_JoinedRoom.
 */
public class Movement implements RoomListener {

    private final int maxEntriesPerFrame;
    /** Per room, the latest move of each mover since the last tick: made by its first join, dropped with it. */
    private final Map<Room, Map<Session, Move>> mailboxes = new ConcurrentHashMap<>();

    public Movement(int maxFrameSize) {
        this.maxEntriesPerFrame = Moves.maxEntries(maxFrameSize);
    }

    /** Rooms with a mailbox now (for tests: none should outlive its room). */
    int mailboxCount() {
        return mailboxes.size();
    }

    /** From the mover's event loop; {@code room} is the one the mover is a member of. */
    void moved(Room room, Session session, Move move) {
        if (!room.isBatching()) {
            Moves.Entry entry = new Moves.Entry(session.id(), move.x(), move.y());
            room.execute(() -> {
                if (room.members().contains(session)) {
                    room.broadcastNow(new Moves(List.of(entry)));
                }
            });
            return;
        }
        Map<Session, Move> mailbox = mailboxes.get(room);
        if (mailbox != null) {
            mailbox.put(session, move);
            room.requestTick();
        }
    }

    @Override
    public void onJoin(Room room, Session session) {
        mailboxes.computeIfAbsent(room, r -> new ConcurrentHashMap<>()); // before the joiner hears of its room
        answerJoin(room, session);
    }

    /**
     * S_JoinedRoom for the room the client asked for last, once: from onJoin (before anything of the new room
     * reaches it), or when it asked for the room it is in already (no onJoin then).
     */
    void answerJoin(Room room, Session session) {
        if (session instanceof GameSession game && game.answers(room.name())) {
            game.send(new JoinedRoom(session.id(), room.clusterSize(), room.name()));
        }
    }

    @Override
    public void onLeave(Room room, Session session) {
        Map<Session, Move> mailbox = mailboxes.get(room);
        if (mailbox != null) {
            mailbox.remove(session);
        }
    }

    @Override
    public void onDropped(Room room) {
        mailboxes.remove(room);
    }

    @Override
    public void onTick(Room room) {
        Map<Session, Move> mailbox = mailboxes.get(room);
        if (mailbox == null || mailbox.isEmpty()) {
            return;
        }
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
