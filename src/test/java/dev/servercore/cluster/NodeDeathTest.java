package dev.servercore.cluster;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.servercore.testsupport.AppProcess;
import dev.servercore.testsupport.ClusterNodes;
import dev.servercore.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.servercore.testsupport.ClusterNodes.backplane;
import static dev.servercore.testsupport.ClusterNodes.gamePort;
import static org.assertj.core.api.Assertions.assertThat;

/** A node killed with SIGKILL leaves presence within servercore.cluster.node-timeout. */
class NodeDeathTest {

    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3); // the default
    private static final Pattern LISTENING = Pattern.compile("Listening on 127.0.0.1:(\\d+)");

    @Test
    void theOthersDropAKilledNodesMembersFromPresenceWithinTheNodeTimeout() throws Exception {
        try (RedisServer redis = RedisServer.start(); ClusterNodes cluster = new ClusterNodes(redis)) {
            ConfigurableApplicationContext a = cluster.start();
            AppProcess b = AppProcess.start("--spring.profiles.active=server", "--management.server.port=0",
                    "--servercore.listener.port=0", "--servercore.listener.bind-address=127.0.0.1",
                    "--servercore.cluster.backplane=redis", "--servercore.cluster.key-prefix=" + cluster.keyPrefix(),
                    "--spring.data.redis.port=" + redis.port());
            try (b) {
                Matcher port = LISTENING.matcher(b.awaitLine("b listening", Duration.ofSeconds(60),
                        line -> LISTENING.matcher(line).find()));
                assertThat(port.find()).isTrue();
                String room = "death-" + System.nanoTime();
                RoomMember onA = RoomMember.join(gamePort(a), "a", room);
                List<RoomMember> onB = List.of(
                        RoomMember.join(Integer.parseInt(port.group(1)), "b", room),
                        RoomMember.join(Integer.parseInt(port.group(1)), "b", room),
                        RoomMember.join(Integer.parseInt(port.group(1)), "b", room));
                assertThat(onB.get(2).joined.members()).isEqualTo(4);
                dev.servercore.testsupport.Await.until("a sees both nodes", Duration.ofSeconds(5),
                        () -> backplane(a).nodesSeen() == 2);
                assertThat(backplane(a).clusterMembers(room).get()).isEqualTo(4);

                long killed = System.nanoTime();
                b.kill();
                long membersGone = -1;
                long nodeGone = -1;
                while (System.nanoTime() - killed < NODE_TIMEOUT.plusSeconds(3).toNanos()
                        && (membersGone < 0 || nodeGone < 0)) {
                    long now = (System.nanoTime() - killed) / 1_000_000;
                    if (membersGone < 0 && backplane(a).clusterMembers(room).get() == 1) {
                        membersGone = now;
                    }
                    if (nodeGone < 0 && backplane(a).nodesSeen() == 1) {
                        nodeGone = now;
                    }
                    Thread.sleep(50);
                }
                System.out.printf("[node death] SIGKILL: its members left presence after %d ms, the node after "
                        + "%d ms (node-timeout %d ms, heartbeat 1000 ms)%n", membersGone, nodeGone,
                        NODE_TIMEOUT.toMillis());
                assertThat(membersGone).as("members gone (ms)").isBetween(0L, NODE_TIMEOUT.toMillis() + 100);
                assertThat(nodeGone).as("node gone (ms)").isBetween(0L, NODE_TIMEOUT.toMillis() + 1_100);
                // a joiner now counts the living only
                RoomMember late = RoomMember.join(gamePort(a), "a", room);
                assertThat(late.joined.members()).isEqualTo(2);
                late.close();
                onA.close();
                for (RoomMember member : onB) {
                    member.close();
                }
            }
        }
    }
}
