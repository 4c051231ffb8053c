package dev.servercore.game;

/**
 * A packet of the game's protocol, usually a record that declares its {@link PacketType} once, as a constant:
 * <pre>{@code
 * public record Chat(String text) implements Packet {
 *     public static final PacketType<Chat> TYPE = PacketType.of(10, in -> new Chat(in.stringToEnd()),
 *             (chat, out) -> out.stringToEnd(chat.text()));
 *
 *     public PacketType<Chat> type() {
 *         return TYPE;
 *     }
 * }
 * }</pre>
 * A {@link PacketHandler} that takes a {@code Chat} gets packet 10 decoded; {@code session.send(chat)} and
 * {@code room.broadcast(chat)} encode it.
 */
public interface Packet {

    /** This packet's type; its writer must accept this packet (the record's own {@code TYPE}). */
    PacketType<?> type();

    /** This packet as one whole frame (header and body): encode once, send the array to many sessions. */
    @SuppressWarnings("unchecked")
    default byte[] encode() {
        return ((PacketType<Packet>) type()).encode(this);
    }
}
