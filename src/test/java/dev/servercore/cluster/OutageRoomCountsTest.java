package dev.servercore.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

import dev.servercore.core.Listener;
import dev.servercore.core.Session;
import dev.servercore.game.Rooms;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Closer;
import dev.servercore.testsupport.ClusterNodes;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.servercore.testsupport.ClusterNodes.backplane;
import static dev.servercore.testsupport.ClusterNodes.gamePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found in the review of issue 15 (the test failed before the fix): {@link RoomSubscriptions}: every room closed is added to {@code countsToDelete} (its count may
 * be in Redis), and an entry leaves only when its HDEL succeeds or the room opens again. While Redis is unreachable
 * {@code send()} returns before {@code deleteCounts()}, so nothing ever leaves: the set grows by one entry per distinct
 * room name closed during the outage, without bound, although a room made and dropped while Redis was away never had
 * a count there (membersChanged writes only while CONNECTED). The join flood issue 15 was about (1.72M joins of fresh
 * names in 20 s) during an outage is memory without bound (about 100 bytes a name), then, once Redis is back, one HDEL
 * per name in one burst from the subscriptions' thread. Real Redis, killed and started again; the set is read by
 * reflection (it has no meter).
 */
class OutageRoomCountsTest {

    private final Closer closer = new Closer();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    @Test
    void roomsMadeAndDroppedWhileRedisIsDownAreRememberedForever() throws Exception {
        RedisServer redis = closer.add(RedisServer.start());
        ClusterNodes cluster = closer.add(new ClusterNodes(redis));
        ConfigurableApplicationContext node = cluster.start();
        Await.until("connected", Duration.ofSeconds(10),
                () -> backplane(node).state() == RedisBackplane.State.CONNECTED);
        FrameClient client = closer.add(FrameClient.connect(gamePort(node)));
        client.readFrame(); // S_Welcome
        Collection<Session> sessions = node.getBean(Listener.class).sessions().all();
        Await.until("its session", Duration.ofSeconds(10), () -> sessions.size() == 1);
        Session session = sessions.iterator().next();
        Rooms rooms = node.getBean(Rooms.class);

        redis.stop();
        Await.until("the backplane sees Redis gone", Duration.ofSeconds(10),
                () -> backplane(node).state() == RedisBackplane.State.DISCONNECTED);
        int names = 20_000;
        for (int i = 0; i < names; i++) { // one session moving through fresh rooms: at most two rooms exist at once
            rooms.join(session, "churn-" + i).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        assertThat(rooms.count()).as("rooms that exist now").isLessThanOrEqualTo(2);
        Thread.sleep(500); // the subscriptions' thread has taken every close by now
        int remembered = backplane(node).countsToDelete();
        assertThat(remembered).as("room names kept in RoomSubscriptions.countsToDelete after %s rooms were made and "
                + "dropped during the outage (while at most 2 rooms existed at a time)", names).isLessThan(100);
    }
}
