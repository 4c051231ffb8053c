package dev.servercore.protocol;

import java.nio.ByteBuffer;

/** S_Chat (4): server to every member of the sender's room, the sender included. */
public record ChatMessage(long senderSessionId, String text) {

    public static final int ID = 4;

    public static ChatMessage decode(ByteBuffer body) {
        ByteBuffer in = Bodies.reader(body);
        Bodies.need(in, 4, "S_Chat");
        long sender = Bodies.u32(in);
        return new ChatMessage(sender, Bodies.text(in, "S_Chat"));
    }

    public byte[] encode() {
        byte[] text = Bodies.utf8(this.text);
        return Bodies.frame(ID, 4 + text.length).putInt((int) senderSessionId).put(text).array();
    }

    /** The frame for a chat line as it came in (UTF-8 bytes), without decoding it: what the server relays. */
    public static byte[] relay(long senderSessionId, ByteBuffer utf8Text) {
        return Bodies.frame(ID, 4 + utf8Text.remaining()).putInt((int) senderSessionId).put(utf8Text.duplicate())
                .array();
    }
}
