package dev.servercore.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import dev.servercore.core.FrameDecoder;
import dev.servercore.core.ProtocolException;
import dev.servercore.testsupport.RandomTrials;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every demo packet: encoded into a frame, read back by the engine's decoder, decoded into an equal record
 * (seeded random values; a failure prints its seed).
 */
class ProtocolRoundTripTest {

    private static final int TRIALS = 300;

    /** The frame's id and body, as a session would get them. */
    private static <T> T roundTrip(byte[] frame, int expectedId, Function<ByteBuffer, T> decoder) {
        List<T> decoded = new ArrayList<>();
        new FrameDecoder(65535).decode(ByteBuffer.wrap(frame), (id, body) -> {
            assertThat(id).isEqualTo(expectedId);
            decoded.add(decoder.apply(body));
        });
        assertThat(decoded).hasSize(1);
        return decoded.get(0);
    }

    private static String text(Random random) {
        int length = random.nextInt(40);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(3);
            text.appendCodePoint(kind == 0 ? 'a' + random.nextInt(26) : kind == 1 ? 0xAC00 + random.nextInt(100)
                    : 0x1F600 + random.nextInt(50));
        }
        return text.toString();
    }

    private static long sessionId(Random random) {
        return 1 + (random.nextLong() & 0x7FFF_FFFFL);
    }

    @Test
    void welcomeEchoAndChatRoundTrip() throws Exception {
        RandomTrials.run(TRIALS, random -> {
            Welcome welcome = new Welcome(text(random));
            assertThat(roundTrip(welcome.encode(), Welcome.ID, Welcome.TYPE::decode)).isEqualTo(welcome);
            byte[] bytes = new byte[random.nextInt(100)];
            random.nextBytes(bytes);
            Echo echo = new Echo(bytes);
            assertThat(roundTrip(echo.encode(), Echo.ID, Echo.TYPE::decode)).isEqualTo(echo);
            assertThat(Echo.reply(ByteBuffer.wrap(bytes))).isEqualTo(echo.encode());
            ChatRequest request = new ChatRequest(text(random));
            assertThat(roundTrip(request.encode(), ChatRequest.ID, ChatRequest.TYPE::decode)).isEqualTo(request);
            ChatMessage message = new ChatMessage(sessionId(random), text(random));
            assertThat(roundTrip(message.encode(), ChatMessage.ID, ChatMessage.TYPE::decode)).isEqualTo(message);
            byte[] utf8 = message.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(ChatMessage.relay(message.senderSessionId(), ByteBuffer.wrap(utf8), 4096))
                    .isEqualTo(message.encode());
        });
    }

    @Test
    void roomsAndMovesRoundTrip() throws Exception {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        RandomTrials.run(TRIALS, random -> {
            StringBuilder name = new StringBuilder();
            for (int i = 1 + random.nextInt(32); i > 0; i--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            JoinRoom join = new JoinRoom(name.toString());
            assertThat(roundTrip(join.encode(), JoinRoom.ID, JoinRoom.TYPE::decode)).isEqualTo(join);
            JoinedRoom joined = new JoinedRoom(sessionId(random), random.nextInt(100_000), name.toString());
            assertThat(roundTrip(joined.encode(), JoinedRoom.ID, JoinedRoom.TYPE::decode)).isEqualTo(joined);
            Move move = new Move(random.nextInt(), random.nextInt());
            assertThat(roundTrip(move.encode(), Move.ID, Move.TYPE::decode)).isEqualTo(move);
            List<Moves.Entry> entries = new ArrayList<>();
            for (int i = random.nextInt(Moves.maxEntries(4096) + 1); i > 0; i--) {
                entries.add(new Moves.Entry(sessionId(random), random.nextInt(), random.nextInt()));
            }
            Moves moves = new Moves(entries);
            byte[] frame = moves.encode();
            assertThat(frame.length).isLessThanOrEqualTo(4096);
            assertThat(roundTrip(frame, Moves.ID, Moves.TYPE::decode)).isEqualTo(moves);
        });
    }

    @Test
    void malformedBodiesAreProtocolErrors() {
        for (String bad : new String[] {"", "a b", "x".repeat(33), "lobby!", "로비"}) {
            assertThatThrownBy(() -> JoinRoom.TYPE.decode(ByteBuffer.wrap(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                    .as(bad).isInstanceOf(ProtocolException.class);
        }
        assertThatThrownBy(() -> ChatRequest.TYPE.decode(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x28})))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Move.TYPE.decode(ByteBuffer.wrap(new byte[7]))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Move.TYPE.decode(ByteBuffer.wrap(new byte[9]))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Moves.TYPE.decode(ByteBuffer.wrap(new byte[13]))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ChatMessage.TYPE.decode(ByteBuffer.wrap(new byte[3]))).isInstanceOf(ProtocolException.class);
        assertThat(Moves.maxEntries(4096)).isEqualTo((4096 - 4) / 12);
    }
}
