package com.example.tag;

import java.util.regex.Pattern;

import dev.servercore.game.JoinFailedException;
import dev.servercore.game.PacketHandler;
import dev.servercore.game.RateLimit;
import dev.servercore.game.Room;
import dev.servercore.game.Rooms;
import org.springframework.stereotype.Component;

/** The packets a runner sends. Handlers run on the runner's event loop: nothing here may block. */
@Component
class TagHandlers {

    private static final Pattern ARENA_NAME = Pattern.compile("[a-z0-9-]{1,16}");

    private final Rooms rooms;

    TagHandlers(Rooms rooms) {
        this.rooms = rooms;
    }

    /**
     * The client names the arena; the server makes it a room of type {@link Arena} (its name says so). The join is
     * done when its stage completes: the arena's onJoin has sent {@link Joined} by then. A refused join (the arena
     * full, too many rooms) is told to the runner, who may try another.
     */
    @PacketHandler
    @RateLimit(perSecond = "2", burst = "5")
    void join(Runner runner, JoinArena join) {
        if (!ARENA_NAME.matcher(join.arena()).matches()) {
            runner.send(new JoinRefused("an arena's name is 1 to 16 of a-z, 0-9 and -"));
            return;
        }
        rooms.join(runner, "arena-" + join.arena()).whenComplete((room, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                runner.send(new JoinRefused(cause instanceof JoinFailedException refused ? refused.getMessage()
                        : "the join failed"));
            }
        });
    }

    /**
     * Until its join is done a runner is in no arena and its moves are dropped (a client waits for {@link Joined}).
     * The arena's state is touched only inside a job of its room.
     */
    @PacketHandler
    @RateLimit(perSecond = "20", burst = "20")
    void move(Runner runner, Move move) {
        Room room = rooms.roomOf(runner);
        Arena arena = room == null ? null : room.logic(Arena.class);
        if (arena != null) {
            room.execute(() -> arena.moved(runner, move));
        }
    }
}
