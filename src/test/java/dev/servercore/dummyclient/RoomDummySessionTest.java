package dev.servercore.dummyclient;

import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.servercore.core.Frames;
import dev.servercore.protocol.ChatMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding (with the poison chat): a dummy session read every chat's text as its send time, so a chat of
 * anyone else in the room (any valid text) threw in its callback and closed it. Another member's chat is now
 * counted as out of place, and the session goes on.
 */
class RoomDummySessionTest {

    private static ByteBuffer body(ChatMessage chat) {
        byte[] frame = chat.encode();
        return ByteBuffer.wrap(Arrays.copyOfRange(frame, Frames.HEADER_SIZE, frame.length));
    }

    @Test
    void aChatThatIsNotOneOfTheRunsIsCountedNotThrown() {
        RoomTraffic traffic = new RoomTraffic(1, new SimpleMeterRegistry());
        RoomDummySession session = new RoomDummySession(traffic, null);
        traffic.joined(session.room(), 7);
        for (String text : new String[] {"hello", "", "12x", "0:99999999999999999999999:1", "0:1:-"}) {
            session.onRecvPacket(ChatMessage.ID, body(new ChatMessage(7, text)));
        }
        assertThat(traffic.outOfPlace.sum()).isEqualTo(5);
        session.onRecvPacket(ChatMessage.ID, body(new ChatMessage(7, "0:0:" + System.nanoTime())));
        assertThat(traffic.outOfPlace.sum()).as("a chat of the run's own").isEqualTo(5);
        assertThat(traffic.received.sum()).isEqualTo(6);
    }
}
