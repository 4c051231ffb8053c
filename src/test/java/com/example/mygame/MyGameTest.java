package com.example.mygame;

import java.time.Duration;

import dev.servercore.core.KickReason;
import dev.servercore.game.Rooms;
import dev.servercore.testsupport.Await;
import dev.servercore.test.GameClient;
import dev.servercore.test.LocalGamePort;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The guide's game, run: two players arrive in town and hear each other. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1"})
class MyGameTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @LocalGamePort
    int port;

    private static String nextShout(GameClient client) {
        return client.await(Shout.TYPE, WAIT).text();
    }

    @Autowired
    Rooms rooms;

    /** Each test starts with nobody in town: the players of the one before leave as their connections end. */
    @BeforeEach
    void townIsEmpty() throws Exception {
        Await.until("town empty", WAIT, () -> rooms.room("town") == null || rooms.room("town").size() == 0);
    }

    @Test
    void twoPlayersArriveInTownAndHearEachOther() {
        try (GameClient alice = GameClient.connect(port)) {
            assertThat(nextShout(alice)).endsWith("arrived; 1 here");
            try (GameClient bob = GameClient.connect(port)) {
                assertThat(nextShout(alice)).endsWith("arrived; 2 here");
                assertThat(nextShout(bob)).endsWith("arrived; 2 here");
                alice.send(new Shout("hello"));
                assertThat(nextShout(alice)).endsWith(": hello");
                assertThat(nextShout(bob)).endsWith(": hello");
            }
        }
    }

    /** A shout its room could not read once relayed (too long for the frame, or not UTF-8) closes its sender only. */
    @Test
    void aShoutThatCannotBeRelayedClosesOnlyItsSender() {
        try (GameClient alice = GameClient.connect(port)) {
            nextShout(alice);
            for (byte[] poison : new byte[][] {new byte[4092], {(byte) 0xFF}}) {
                try (GameClient mallory = GameClient.connect(port)) {
                    nextShout(mallory);
                    assertThat(nextShout(alice)).endsWith("arrived; 2 here");
                    mallory.send(Shout.ID, poison);
                    assertThat(mallory.awaitKick(WAIT).reason()).isEqualTo(KickReason.PROTOCOL_ERROR);
                    assertThat(mallory.awaitClosed(WAIT)).isTrue();
                }
                alice.send(new Shout("still here"));
                assertThat(nextShout(alice)).as("the next shout alice hears").endsWith(": still here");
            }
        }
    }
}
