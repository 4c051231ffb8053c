package dev.servercore.protocol;

import java.nio.ByteBuffer;

/** S_Welcome (1): server to client, once, first. */
public record Welcome(String text) {

    public static final int ID = 1;
    public static final String TEXT = "Welcome to MMORPG Server!";
    /** The same for every session: encoded once. */
    public static final byte[] FRAME = new Welcome(TEXT).encode();

    public static Welcome decode(ByteBuffer body) {
        return new Welcome(Bodies.text(Bodies.reader(body), "S_Welcome"));
    }

    public byte[] encode() {
        byte[] text = Bodies.utf8(this.text);
        return Bodies.frame(ID, text.length).put(text).array();
    }
}
