package com.example.tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.servercore.core.Session;
import dev.servercore.game.RoomLogic;
import dev.servercore.game.RoomType;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;

/**
 * The game of one arena (every room named {@code arena-*}): a new Arena per room, its state in plain fields. Every
 * method runs as a job of its room, one at a time, so nothing here needs a lock. Ten ticks a second, steady: the
 * arena's clock runs while anyone is in it.
 */
@Component
@Scope("prototype")
@RoomType(pattern = "arena-*", tickRate = 10, steady = true)
public class Arena extends RoomLogic {

    static final float SIZE = 50;
    static final float REACH = 1.5f;
    /** Ticks after a tag during which the new "it" cannot tag back. */
    static final int GRACE_TICKS = 10;

    private final Map<Integer, float[]> positions = new LinkedHashMap<>();
    private int it;
    private long graceUntil;
    private int joins;

    @Override
    protected void onJoin(Session session) {
        float[] spawn = {5 + 10 * (joins++ % 5), SIZE / 2};
        positions.put(session.id(), spawn);
        if (it == 0) {
            it = session.id();
        }
        ((Runner) session).send(new Joined(session.id(), it, spawn[0], spawn[1]));
    }

    @Override
    protected void onLeave(Session session) {
        positions.remove(session.id());
        if (it == session.id()) {
            it = positions.isEmpty() ? 0 : positions.keySet().iterator().next();
        }
    }

    /** The player's move, clamped to the arena (from {@link TagHandlers#move}, as a job of this room). */
    void moved(Session player, Move move) {
        float[] position = positions.get(player.id());
        if (position != null) {
            position[0] = Math.max(0, Math.min(SIZE, move.x()));
            position[1] = Math.max(0, Math.min(SIZE, move.y()));
        }
    }

    @Override
    protected void onTick() {
        if (it != 0 && room().tick() >= graceUntil) {
            tagWithinReach();
        }
        List<Positions.Position> players = new ArrayList<>(positions.size());
        positions.forEach((player, p) -> players.add(new Positions.Position(player, p[0], p[1])));
        room().broadcast(new Positions(room().tick(), it, players));
    }

    private void tagWithinReach() {
        float[] chaser = positions.get(it);
        for (Map.Entry<Integer, float[]> other : positions.entrySet()) {
            float dx = other.getValue()[0] - chaser[0];
            float dy = other.getValue()[1] - chaser[1];
            if (other.getKey() != it && dx * dx + dy * dy <= REACH * REACH) {
                room().broadcast(new Tagged(it, other.getKey()));
                it = other.getKey();
                graceUntil = room().tick() + GRACE_TICKS;
                return;
            }
        }
    }
}
