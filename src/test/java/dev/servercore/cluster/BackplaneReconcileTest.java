package dev.servercore.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.servercore.game.Rooms;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Closer;
import dev.servercore.testsupport.ClusterNodes;
import dev.servercore.testsupport.HeldRoom;
import dev.servercore.testsupport.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static dev.servercore.testsupport.ClusterNodes.backplane;
import static dev.servercore.testsupport.ClusterNodes.gamePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the backplane promises across Redis outages and restarts, and under a lagging room (each of these
 * failed before the fix that came with it: found by a review).
 */
class BackplaneReconcileTest {

    private final Closer closer = new Closer();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    /** PUBSUB NUMSUB through redis-cli (installed with redis-server). */
    private static long subscribers(RedisServer redis, String channel) throws Exception {
        Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(redis.port()), "PUBSUB", "NUMSUB",
                channel).redirectErrorStream(true).start();
        String[] lines = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\n");
        cli.waitFor();
        return Long.parseLong(lines[lines.length - 1].trim());
    }

    private static double dropped(ConfigurableApplicationContext node, String reason) {
        return node.getBean(MeterRegistry.class).get("servercore.cluster.messages.dropped").tag("reason", reason)
                .counter().count();
    }

    /**
     * A room that leaves a node while the backplane is DISCONNECTED: roomClosed skips the UNSUBSCRIBE (Lettuce
     * then re-subscribes the channel by itself on reconnect) and its HDEL is rejected (the heartbeat only
     * rewrites rooms still open). Redis here restarts with its data (SHUTDOWN SAVE, as any Redis with RDB/AOF).
     */
    @Test
    void aRoomClosedWhileDisconnectedIsUnsubscribedAndUncountedOnceRedisIsBack() throws Exception {
        RedisServer redis = closer.add(RedisServer.start());
        ClusterNodes cluster = closer.add(new ClusterNodes(redis));
        ConfigurableApplicationContext a = cluster.start();
        ConfigurableApplicationContext b = cluster.start();
        String room = "ghost-" + System.nanoTime();
        RoomMember a1 = RoomMember.join(gamePort(a), "a", room);
        RoomMember b1 = closer.add(RoomMember.join(gamePort(b), "b", room));
        Await.until("presence written", Duration.ofSeconds(5), () -> backplane(b).clusterMembers(room).get() == 2);

        redis.command("SHUTDOWN SAVE");
        redis.stop();
        Await.until("a sees Redis gone", Duration.ofSeconds(5),
                () -> backplane(a).state() == RedisBackplane.State.DISCONNECTED);
        a1.close(); // a's only member: the room leaves a while Redis is unreachable
        Await.until("room gone from a", Duration.ofSeconds(5), () -> a.getBean(Rooms.class).room(room) == null);

        redis.startAgain(); // with its data
        Await.until("both connected", Duration.ofSeconds(10),
                () -> backplane(a).state() == RedisBackplane.State.CONNECTED
                        && backplane(b).state() == RedisBackplane.State.CONNECTED);
        Thread.sleep(2_500); // two more heartbeats: whatever they rewrite is rewritten

        double goneBefore = dropped(a, "room_gone");
        for (int i = 0; i < 20; i++) {
            b1.chat("after-" + i);
        }
        assertThat(b1.await(Duration.ofSeconds(5), m -> m.chatsStartingWith("after-") == 20)).isTrue();
        Thread.sleep(300);
        RoomMember b2 = closer.add(RoomMember.join(gamePort(b), "b", room));
        // b2's count goes to Redis after its join is answered: wait for it; a stale count of a would make it 3
        Await.until("b's two members counted", Duration.ofSeconds(5),
                () -> backplane(b).clusterMembers(room).get() >= 2);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(subscribers(redis, cluster.keyPrefix() + ":room:" + room))
                .as("subscribers of the room's channel: b only (a has no such room any more)").isEqualTo(1);
        soft.assertThat(dropped(a, "room_gone") - goneBefore)
                .as("messages a received for a room it does not have").isZero();
        soft.assertThat(backplane(b).clusterMembers(room).get()).as("the room's cluster count").isEqualTo(2);
        soft.assertThat(b2.joined.members()).as("S_JoinedRoom of a new joiner on b (b1 and itself)").isEqualTo(2);
        soft.assertAll();
    }

    /** A room stuck in a long job drops what is over its own budget; another room of the node gets all of its. */
    @Test
    void oneLaggingRoomDoesNotDropAnotherRoomsCrossNodeTraffic() throws Exception {
        RedisServer redis = closer.add(RedisServer.start());
        ClusterNodes cluster = closer.add(new ClusterNodes(redis));
        ConfigurableApplicationContext a = cluster.start(Map.of("servercore.rooms.batching", false));
        ConfigurableApplicationContext b = cluster.start(Map.of(
                "servercore.cluster.max-pending-deliveries-per-room", 20, "servercore.rooms.worker-threads", 4));
        String slow = "slow-" + System.nanoTime();
        String healthy = "healthy-" + System.nanoTime();
        RoomMember slowSender = closer.add(RoomMember.join(gamePort(a), "a", slow));
        closer.add(RoomMember.join(gamePort(b), "b", slow));
        RoomMember sender = closer.add(RoomMember.join(gamePort(a), "a", healthy));
        RoomMember receiver = closer.add(RoomMember.join(gamePort(b), "b", healthy));

        closer.add(HeldRoom.hold(b.getBean(Rooms.class).room(slow)));
        for (int i = 0; i < 100; i++) {
            slowSender.chat("slow-" + i);
        }
        assertThat(slowSender.await(Duration.ofSeconds(5), m -> m.chatsStartingWith("slow-") == 100)).isTrue();
        Thread.sleep(300);
        for (int i = 0; i < 10; i++) {
            sender.chat("fine-" + i);
        }
        assertThat(receiver.await(Duration.ofSeconds(5), m -> m.chatsStartingWith("fine-") == 10))
                .as("b's healthy room got its 10 chats from a (it got %d; dropped as lagging on b: %s)",
                        receiver.chatsStartingWith("fine-"), dropped(b, "lagging"))
                .isTrue();
    }

    /**
     * Redis restarted (empty: slot keys and the slot counter gone) and a node joins before an old node's
     * next heartbeat re-takes its slot: both hand out the same session ids.
     */
    @Test
    void aNodeStartingRightAfterARedisRestartNeverHandsOutIdsOfAnotherLiveNodesSessions() throws Exception {
        RedisServer redis = closer.add(RedisServer.start());
        ClusterNodes cluster = closer.add(new ClusterNodes(redis));
        ConfigurableApplicationContext a = cluster.start(Map.of("servercore.cluster.heartbeat-interval", "2s",
                "servercore.cluster.node-timeout", "4s"));
        RoomMember a1 = closer.add(RoomMember.join(gamePort(a), "a", "ids-" + System.nanoTime()));

        redis.stop();
        redis.startAgain();
        ClusterNode c = new ClusterNode(new ClusterKeys(cluster.keyPrefix()));
        c.claimSlot(a.getBean(RedisConnectionFactory.class), a.getBean(ClusterProperties.class));
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(c.next());
        }
        assertThat(ids).as("the new node's first ids (slot %d); a's session %d (slot %d) is still open", c.slot(),
                a1.id(), ClusterNode.slotOf((int) a1.id())).doesNotContain((int) a1.id());
    }

    /** Three Redis restarts: each room's channel is subscribed once, by this node, and nothing else piles up. */
    @Test
    void reconnectsLeaveEachRoomSubscribedOnce() throws Exception {
        RedisServer redis = closer.add(RedisServer.start());
        ClusterNodes cluster = closer.add(new ClusterNodes(redis));
        ConfigurableApplicationContext a = cluster.start();
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rooms.add("grow-" + i + "-" + System.nanoTime());
            closer.add(RoomMember.join(gamePort(a), "a", rooms.get(i)));
        }
        for (int restart = 0; restart < 3; restart++) {
            redis.stop();
            Await.until("down", Duration.ofSeconds(5), () -> backplane(a).state() == RedisBackplane.State.DISCONNECTED);
            redis.startAgain();
            Await.until("up", Duration.ofSeconds(10), () -> backplane(a).state() == RedisBackplane.State.CONNECTED);
        }
        assertThat(backplane(a).subscribedRooms()).isEqualTo(3);
        for (String room : rooms) {
            assertThat(subscribers(redis, cluster.keyPrefix() + ":room:" + room)).as(room).isEqualTo(1);
        }
        String channels = redis.command("PUBSUB NUMPAT");
        assertThat(channels).isEqualTo(":0");
    }
}
