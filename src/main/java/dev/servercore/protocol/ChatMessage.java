package dev.servercore.protocol;

import java.nio.ByteBuffer;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;
import dev.servercore.game.BodyWriter;
import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;
import dev.servercore.game.Utf8;

/** S_Chat (4): server to every member of the sender's room, the sender included. */
public record ChatMessage(long senderSessionId, String text) implements Packet {

    public static final int ID = 4;
    public static final PacketType<ChatMessage> TYPE = PacketType.of(ID,
            in -> new ChatMessage(in.u32(), in.stringToEnd()),
            (chat, out) -> out.u32(chat.senderSessionId()).stringToEnd(chat.text()));

    @Override
    public PacketType<ChatMessage> type() {
        return TYPE;
    }

    /** The most bytes of text an S_Chat carries within frames of at most {@code maxFrameSize} bytes. */
    public static int maxText(int maxFrameSize) {
        return Math.min(maxFrameSize, Frames.MAX_FRAME_SIZE) - Frames.HEADER_SIZE - 4;
    }

    /**
     * The frame that relays a chat line as it came in, without decoding it: what the server sends its room.
     * Text that is not UTF-8, or too long for the relayed frame to fit {@code maxFrameSize}, is the sender's
     * protocol error: it is never relayed.
     */
    public static byte[] relay(long senderSessionId, ByteBuffer utf8Text, int maxFrameSize) {
        int max = maxText(maxFrameSize);
        if (utf8Text.remaining() > max) {
            throw new ProtocolException("C_Chat: " + utf8Text.remaining() + " bytes of text; at most " + max
                    + " can be relayed");
        }
        if (!Utf8.isValid(utf8Text)) {
            throw new ProtocolException("C_Chat: text is not UTF-8");
        }
        return new BodyWriter(4 + utf8Text.remaining()).u32(senderSessionId).raw(utf8Text).toFrame(ID);
    }
}
