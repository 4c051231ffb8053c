package dev.servercore.testsupport;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.servercore.game.Room;

/** A room kept busy by a long job (a big room's slow tick) until the test releases it (at most 30 s). */
public final class HeldRoom implements AutoCloseable {

    private final CountDownLatch released = new CountDownLatch(1);

    private HeldRoom() {
    }

    public static HeldRoom hold(Room room) {
        return hold(room, () -> {
        });
    }

    /** Holds the room, then runs {@code then} in the same job once released. */
    public static HeldRoom hold(Room room, Runnable then) {
        HeldRoom held = new HeldRoom();
        room.execute(() -> {
            try {
                held.released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            then.run();
        });
        return held;
    }

    public void release() {
        released.countDown();
    }

    @Override
    public void close() {
        release();
    }
}
