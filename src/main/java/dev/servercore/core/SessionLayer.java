package dev.servercore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * PROTOCOL.md v3's session layer: the packet ids {@code 0xFF00..0xFFFF} belong to the engine, never to a
 * game, and the frames the engine itself sends. Integers are little-endian.
 */
public final class SessionLayer {

    /** The first id of the session layer; games use ids below it. */
    public static final int FIRST_ID = 0xFF00;
    public static final int C_LOGIN = 0xFF01;
    public static final int S_LOGIN_OK = 0xFF02;
    public static final int S_KICK = 0xFF03;
    public static final int C_RESUME_ENABLE = 0xFF10;
    public static final int S_RESUME_TOKEN = 0xFF11;
    public static final int C_ACK = 0xFF12;
    public static final int S_ACK = 0xFF13;
    public static final int C_RESUME = 0xFF14;
    public static final int S_RESUMED = 0xFF15;
    public static final int S_RESUME_FAILED = 0xFF16;
    public static final int S_RECONNECT = 0xFF17;

    /** PROTOCOL.md: an ack after every 256 numbered frames... */
    static final int ACK_EVERY = 256;
    /** ... and at least once a second while they arrive. */
    static final long ACK_INTERVAL_NANOS = 1_000_000_000L;

    /** Room left in a kick's frame for its u16 reason. */
    private static final int REASON_SIZE = 2;

    private SessionLayer() {
    }

    public static boolean isSessionLayer(int packetId) {
        return packetId >= FIRST_ID;
    }

    /** {@code S_Kick}: the reason, then a text for people (cut, on a character boundary, to fit {@code maxFrameSize}). */
    public static byte[] kick(KickReason reason, String text, int maxFrameSize) {
        return reasonFrame(S_KICK, reason, text, maxFrameSize);
    }

    /** {@code S_ResumeFailed}: the reason, then a text for people. */
    public static byte[] resumeFailed(KickReason reason, String text, int maxFrameSize) {
        return reasonFrame(S_RESUME_FAILED, reason, text, maxFrameSize);
    }

    /** {@code S_LoginOk}: the session's id, then its principal. */
    public static byte[] loginOk(int sessionId, String principal) {
        byte[] name = principal.getBytes(StandardCharsets.UTF_8);
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + 4 + name.length, S_LOGIN_OK);
        Frames.putInt32(frame, Frames.HEADER_SIZE, sessionId);
        System.arraycopy(name, 0, frame, Frames.HEADER_SIZE + 4, name.length);
        return frame;
    }

    /** {@code S_ResumeToken}: the token, then the window in milliseconds. */
    public static byte[] resumeToken(byte[] token, long windowMs) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + token.length + 4, S_RESUME_TOKEN);
        System.arraycopy(token, 0, frame, Frames.HEADER_SIZE, token.length);
        Frames.putInt32(frame, Frames.HEADER_SIZE + token.length, (int) Math.min(windowMs, 0xFFFF_FFFFL));
        return frame;
    }

    /** {@code S_Resumed}: the session's id, then how many numbered client frames the server has. */
    public static byte[] resumed(int sessionId, long received) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + 4 + 8, S_RESUMED);
        Frames.putInt32(frame, Frames.HEADER_SIZE, sessionId);
        Frames.putInt64(frame, Frames.HEADER_SIZE + 4, received);
        return frame;
    }

    /** {@code C_Ack} or {@code S_Ack} ({@code packetId}): numbered frames received so far. */
    public static byte[] ack(int packetId, long received) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + 8, packetId);
        Frames.putInt64(frame, Frames.HEADER_SIZE, received);
        return frame;
    }

    /** {@code C_Resume}: the token, then how many numbered server frames the client has. */
    public static byte[] resume(byte[] token, long received) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + token.length + 8, C_RESUME);
        System.arraycopy(token, 0, frame, Frames.HEADER_SIZE, token.length);
        Frames.putInt64(frame, Frames.HEADER_SIZE + token.length, received);
        return frame;
    }

    /** The reason of an {@code S_Kick} or {@code S_ResumeFailed} body, or null if it names none. */
    public static KickReason reasonOf(ByteBuffer body) {
        if (body.remaining() < REASON_SIZE) {
            return null;
        }
        return KickReason.ofCode(Frames.getUInt16(body, body.position()));
    }

    private static byte[] reasonFrame(int packetId, KickReason reason, String text, int maxFrameSize) {
        byte[] utf8 = fit(text == null ? "" : text, Math.min(maxFrameSize, Frames.MAX_FRAME_SIZE) - Frames.HEADER_SIZE
                - REASON_SIZE);
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + REASON_SIZE + utf8.length, packetId);
        Frames.putUInt16(frame, Frames.HEADER_SIZE, reason.code());
        System.arraycopy(utf8, 0, frame, Frames.HEADER_SIZE + REASON_SIZE, utf8.length);
        return frame;
    }

    /** The text's UTF-8, at most {@code max} bytes, never cutting a character in two. */
    static byte[] fit(String text, int max) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= max) {
            return utf8;
        }
        int end = Math.max(0, max);
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--; // a continuation byte: the character starts earlier
        }
        return java.util.Arrays.copyOf(utf8, end);
    }
}
