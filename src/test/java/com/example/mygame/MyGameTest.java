package com.example.mygame;

import java.nio.ByteBuffer;

import dev.servercore.core.Listener;
import dev.servercore.core.SessionLayer;
import dev.servercore.testsupport.FrameClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The guide's game, run: two players arrive in town and hear each other. */
@SpringBootTest(classes = MyGameApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1"})
class MyGameTest {

    @Autowired
    Listener listener;

    private static Shout next(FrameClient client) throws Exception {
        FrameClient.Frame frame = client.readFrame();
        assertThat(frame.packetId()).isEqualTo(Shout.ID);
        return Shout.TYPE.decode(ByteBuffer.wrap(frame.body()));
    }

    @Test
    void twoPlayersArriveInTownAndHearEachOther() throws Exception {
        try (FrameClient alice = FrameClient.connect(listener.port())) {
            alice.socket().setSoTimeout(5_000);
            assertThat(next(alice).text()).endsWith("arrived; 1 here");
            try (FrameClient bob = FrameClient.connect(listener.port())) {
                bob.socket().setSoTimeout(5_000);
                assertThat(next(alice).text()).endsWith("arrived; 2 here");
                assertThat(next(bob).text()).endsWith("arrived; 2 here");
                alice.write(new Shout("hello").encode());
                assertThat(next(alice).text()).endsWith(": hello");
                assertThat(next(bob).text()).endsWith(": hello");
            }
        }
    }

    /** A shout its room could not read once relayed (too long for the frame, or not UTF-8) closes its sender only. */
    @Test
    void aShoutThatCannotBeRelayedClosesOnlyItsSender() throws Exception {
        try (FrameClient alice = FrameClient.connect(listener.port())) {
            alice.socket().setSoTimeout(5_000);
            next(alice);
            for (byte[] poison : new byte[][] {new byte[4092], {(byte) 0xFF}}) {
                try (FrameClient mallory = FrameClient.connect(listener.port())) {
                    mallory.socket().setSoTimeout(5_000);
                    next(mallory);
                    assertThat(next(alice).text()).endsWith("arrived; 2 here");
                    mallory.sendFrame(Shout.ID, poison);
                    assertThat(mallory.readFrame().packetId()).isEqualTo(SessionLayer.S_KICK);
                    assertThat(mallory.closedByPeerWithin(5_000)).isTrue();
                }
                alice.write(new Shout("still here").encode());
                assertThat(next(alice).text()).as("the next shout alice hears").endsWith(": still here");
            }
        }
    }
}
