package com.example.mygame;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;

/** Packet 100, both ways: a line of text for everyone in the room, at most 200 bytes of UTF-8. */
public record Shout(String text) {

    public static final int ID = 100;
    public static final int MAX_TEXT_BYTES = 200;

    /** Anything else than what we relay is the sender's protocol error: the engine kicks that one client. */
    public static Shout decode(ByteBuffer body) {
        if (body.remaining() > MAX_TEXT_BYTES) {
            throw new ProtocolException("a shout of " + body.remaining() + " bytes");
        }
        try {
            return new Shout(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(body.duplicate()).toString());
        } catch (CharacterCodingException e) {
            throw new ProtocolException("a shout that is not UTF-8");
        }
    }

    public byte[] encode() {
        return Frames.encode(ID, text.getBytes(StandardCharsets.UTF_8));
    }
}
