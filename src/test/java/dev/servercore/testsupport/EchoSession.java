package dev.servercore.testsupport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.Frames;
import dev.servercore.core.PacketSession;

/** A listener's test session: welcomes with packet 1 ("hi"), then echoes every packet. */
public class EchoSession extends PacketSession {

    public static final byte[] WELCOME = Frames.encode(1, "hi".getBytes(StandardCharsets.UTF_8));

    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        send(WELCOME);
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        send(Frames.encode(packetId, body));
    }
}
