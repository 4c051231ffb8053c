package com.example.tag;

import java.time.Duration;

import dev.servercore.core.KickReason;
import dev.servercore.test.GameClient;
import dev.servercore.test.LocalGamePort;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Two runners in an arena: the first is "it", runs to the second and tags it; a bad move kicks only its sender. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1"})
class TagGameTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @LocalGamePort
    int port;

    @Test
    void theFirstRunnerIsItAndTagsTheSecondByRunningToIt() {
        try (GameClient ann = GameClient.connect(port); GameClient bob = GameClient.connect(port)) {
            ann.send(new JoinArena("test"));
            Joined annIn = ann.await(Joined.TYPE, WAIT);
            assertThat(annIn.it()).as("the first in the arena is it").isEqualTo(annIn.you());
            bob.send(new JoinArena("test"));
            Joined bobIn = bob.await(Joined.TYPE, WAIT);
            assertThat(bobIn.it()).isEqualTo(annIn.you());

            ann.send(new Move(bobIn.x(), bobIn.y()));
            Tagged tagged = bob.await(Tagged.TYPE, WAIT);
            assertThat(tagged).isEqualTo(new Tagged(annIn.you(), bobIn.you()));
            assertThat(ann.await(Tagged.TYPE, WAIT)).isEqualTo(tagged);
            Positions after;
            do {
                after = bob.await(Positions.TYPE, WAIT);
            } while (after.it() != bobIn.you());
            assertThat(after.players()).extracting(Positions.Position::player)
                    .containsExactly(annIn.you(), bobIn.you());
        }
    }

    @Test
    void aMoveToNowhereKicksItsSenderAndTheArenaGoesOn() {
        try (GameClient cat = GameClient.connect(port); GameClient dan = GameClient.connect(port)) {
            cat.send(new JoinArena("nan"));
            cat.await(Joined.TYPE, WAIT);
            dan.send(new JoinArena("nan"));
            Joined danIn = dan.await(Joined.TYPE, WAIT);

            cat.send(new Move(Float.NaN, 0));
            assertThat(cat.awaitKick(WAIT).reason()).isEqualTo(KickReason.PROTOCOL_ERROR);
            Positions alone;
            do {
                alone = dan.await(Positions.TYPE, WAIT);
            } while (alone.players().size() != 1);
            assertThat(alone.it()).as("it left: the one left is it").isEqualTo(danIn.you());
        }
    }

    @Test
    void anArenaNameTheServerDoesNotTakeIsRefusedWithAReason() {
        try (GameClient eve = GameClient.connect(port)) {
            eve.send(new JoinArena("Not An Arena"));
            assertThat(eve.await(JoinRefused.TYPE, WAIT).reason()).contains("1 to 16");
        }
    }
}
