package com.example.mygame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.Frames;

/** Packet 100, both ways: a line of text for everyone in the room. */
public record Shout(String text) {

    public static final int ID = 100;

    public static Shout decode(ByteBuffer body) {
        return new Shout(StandardCharsets.UTF_8.decode(body.duplicate()).toString());
    }

    public byte[] encode() {
        return Frames.encode(ID, text.getBytes(StandardCharsets.UTF_8));
    }
}
