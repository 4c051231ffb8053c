package dev.servercore.game;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Decodes the body of one packet id into a type that {@link PacketHandler} methods take. Declared as
 * beans; one per type.
 *
 * @param <T> the decoded packet
 */
public interface PacketCodec<T> {

    int packetId();

    Class<T> type();

    /** The packet in {@code body}; a malformed body throws {@link dev.servercore.core.ProtocolException}. */
    T decode(ByteBuffer body);

    static <T> PacketCodec<T> of(int packetId, Class<T> type, Function<ByteBuffer, T> decoder) {
        return new PacketCodec<>() {
            @Override
            public int packetId() {
                return packetId;
            }

            @Override
            public Class<T> type() {
                return type;
            }

            @Override
            public T decode(ByteBuffer body) {
                return decoder.apply(body);
            }

            @Override
            public String toString() {
                return "PacketCodec(" + packetId + " -> " + type.getSimpleName() + ")";
            }
        };
    }
}
