package dev.servercore.protocol;

import java.nio.ByteBuffer;

import dev.servercore.core.Frames;
import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** C_Echo / S_Echo (2): any bytes, answered with the same id and body, in order. */
public record Echo(byte[] body) implements Packet {

    public static final int ID = 2;
    public static final PacketType<Echo> TYPE = PacketType.of(ID, in -> new Echo(in.bytesToEnd()),
            (echo, out) -> out.raw(echo.body())).sized(echo -> echo.body().length);

    @Override
    public PacketType<Echo> type() {
        return TYPE;
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
