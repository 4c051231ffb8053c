package dev.servercore.protocol;

import java.nio.ByteBuffer;

import dev.servercore.core.Frames;

/** C_Echo / S_Echo (2): any bytes, answered with the same id and body, in order. */
public record Echo(byte[] body) {

    public static final int ID = 2;

    public static Echo decode(ByteBuffer body) {
        byte[] copy = new byte[body.remaining()];
        body.duplicate().get(copy);
        return new Echo(copy);
    }

    public byte[] encode() {
        return Frames.encode(ID, body);
    }

    /** The answer to a request, straight from the request's body: one copy, no record in between. */
    public static byte[] reply(ByteBuffer requestBody) {
        return Frames.encode(ID, requestBody);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Echo echo && java.util.Arrays.equals(body, echo.body);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Echo[" + body.length + " bytes]";
    }
}
