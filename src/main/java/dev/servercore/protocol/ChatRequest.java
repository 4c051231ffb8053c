package dev.servercore.protocol;

import java.nio.ByteBuffer;

/** C_Chat (3): client to server, a line of text for the sender's room. */
public record ChatRequest(String text) {

    public static final int ID = 3;

    public static ChatRequest decode(ByteBuffer body) {
        return new ChatRequest(Bodies.text(Bodies.reader(body), "C_Chat"));
    }

    public byte[] encode() {
        byte[] text = Bodies.utf8(this.text);
        return Bodies.frame(ID, text.length).put(text).array();
    }
}
