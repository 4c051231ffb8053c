package dev.servercore.testsupport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.PacketSession;

/** A connector-side test session that keeps every packet it receives and counts its callbacks. */
public class RecordingSession extends PacketSession {

    public final List<FrameClient.Frame> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger connects = new AtomicInteger();
    public final AtomicInteger disconnects = new AtomicInteger();
    public final CountDownLatch disconnected = new CountDownLatch(1);

    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        connects.incrementAndGet();
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        byte[] copy = new byte[body.remaining()];
        body.get(copy);
        received.add(new FrameClient.Frame(packetId, copy));
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        disconnects.incrementAndGet();
        disconnected.countDown();
    }

    public List<FrameClient.Frame> ofId(int packetId) {
        return received.stream().filter(f -> f.packetId() == packetId).toList();
    }
}
