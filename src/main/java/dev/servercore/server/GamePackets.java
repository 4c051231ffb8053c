package dev.servercore.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.Frames;

/** The demo packets of PROTOCOL.md, shared by the server and the dummy client. */
public final class GamePackets {

    public static final int S_WELCOME = 1;
    public static final int ECHO = 2;
    public static final int C_CHAT = 3;
    public static final int S_CHAT = 4;

    public static final String WELCOME_TEXT = "Welcome to MMORPG Server!";
    public static final byte[] WELCOME_BYTES = WELCOME_TEXT.getBytes(StandardCharsets.UTF_8);
    /** The same for every session: encoded once. */
    public static final byte[] WELCOME_FRAME = Frames.encode(S_WELCOME, WELCOME_BYTES);

    private GamePackets() {
    }

    /** S_Chat: the sender's session id (u32 LE), then its text. */
    public static byte[] chatFrame(int senderSessionId, ByteBuffer text) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + 4 + text.remaining(), S_CHAT);
        Frames.putInt32(frame, Frames.HEADER_SIZE, senderSessionId);
        text.duplicate().get(frame, Frames.HEADER_SIZE + 4, text.remaining());
        return frame;
    }
}
