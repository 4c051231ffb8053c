package dev.servercore.game;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.servercore.core.Frames;
import dev.servercore.core.Listener;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another node's batch waiting for its flush is held in a room; if the room is dropped before the flush
 * (its last member left), the ticker's flush no longer reaches it, and yet its afterDelivery (the
 * backplane's release of its pending counts and bytes) runs.
 */
@LoopbackServerTest
class DroppedRoomFlushTest {

    @Autowired
    ApplicationContext context;

    @Test
    void afterDeliveryRunsEvenIfTheRoomIsDroppedBeforeItsFlush() throws Exception {
        Rooms rooms = new Rooms(10, 2, RoomTypes.NONE, new SimpleMeterRegistry());
        rooms.setBackplane(new RoomBackplane() {
            @Override
            public Duration flushDelay() {
                return Duration.ofMillis(20);
            }
        });
        rooms.start();
        Queue<RoomsRaceTest.Plain> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "dropped-" + System.nanoTime(), ServerCoreProperties.defaults(),
                () -> {
                    RoomsRaceTest.Plain s = new RoomsRaceTest.Plain();
                    sessions.add(s);
                    return s;
                });
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            Await.until("open", Duration.ofSeconds(10), () -> sessions.size() == 1);
            RoomsRaceTest.Plain session = sessions.peek();
            Room room = RoomsTest.member(rooms.join(session, "r"));
            CountDownLatch joined = new CountDownLatch(1);
            room.execute(joined::countDown);
            assertThat(joined.await(5, TimeUnit.SECONDS)).isTrue();
            long nowTick = System.currentTimeMillis() / 100;
            CountDownLatch delivered = new CountDownLatch(1);
            // a batch of the next tick from another node, then the last member leaves: the room is dropped
            assertThat(rooms.deliverFromOtherNode("r", nowTick + 2, Frames.encode(7, new byte[0]),
                    delivered::countDown)).isTrue();
            rooms.leave(session);
            Await.until("dropped", Duration.ofSeconds(5), () -> rooms.room("r") == null);
            assertThat(delivered.await(2, TimeUnit.SECONDS)).as("afterDelivery ran (pending released)").isTrue();
        } finally {
            listener.stop();
            rooms.stop();
        }
    }
}
