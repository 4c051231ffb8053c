package com.example.mygame;

import java.nio.ByteBuffer;

import dev.servercore.core.PacketSession;
import dev.servercore.dummyclient.SessionReport;

/** A dummy client's player: once in town, it shouts once, times its shout's way back, and leaves. */
public class ShoutBot extends PacketSession {

    private final SessionReport report;
    private final String mark = "bot-" + System.identityHashCode(this) + "-";
    private long shoutedAt;

    public ShoutBot(SessionReport report) {
        this.report = report;
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        if (packetId != Shout.ID) {
            report.error();
            return;
        }
        String text = Shout.TYPE.decode(body).text();
        report.count("shouts_heard");
        if (shoutedAt == 0 && text.contains("arrived")) {
            shoutedAt = System.nanoTime();
            send(new Shout(mark + shoutedAt).encode());
        } else if (shoutedAt != 0 && text.endsWith(": " + mark + shoutedAt)) {
            report.latencyNanos("shout", System.nanoTime() - shoutedAt);
            disconnect(); // done: the run ends once every bot has left
        }
    }
}
