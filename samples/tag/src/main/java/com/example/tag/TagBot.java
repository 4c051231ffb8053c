package com.example.tag;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

import dev.servercore.core.PacketSession;
import dev.servercore.dummyclient.SessionReport;

/**
 * A dummy client's runner: it joins the bots' arena and, at every tick it hears of, runs a step towards whoever
 * it chases (when it is "it") or away from "it". What it sees goes into the run's summary.
 */
public class TagBot extends PacketSession {

    private final SessionReport report;
    private final String arena;
    private int me;
    private float x;
    private float y;

    public TagBot(SessionReport report, String arena) {
        this.report = report;
        this.arena = arena;
    }

    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        send(JoinArena.TYPE.encode(new JoinArena(arena)));
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        if (packetId == Joined.TYPE.id()) {
            Joined joined = Joined.TYPE.decode(body);
            me = joined.you();
            x = joined.x();
            y = joined.y();
            report.count("joined");
        } else if (packetId == Positions.TYPE.id()) {
            report.count("ticks_seen");
            step(Positions.TYPE.decode(body));
        } else if (packetId == Tagged.TYPE.id()) {
            report.count("tags_seen");
        } else if (packetId == JoinRefused.TYPE.id()) {
            report.error();
            disconnect();
        } else {
            report.error();
        }
    }

    private void step(Positions positions) {
        Positions.Position target = null;
        for (Positions.Position p : positions.players()) {
            if (p.player() == me) {
                continue;
            }
            if (me == positions.it() || p.player() == positions.it()) {
                target = p; // the one to chase, or the chaser to run from
                break;
            }
        }
        float dx = target == null ? 0 : target.x() - x;
        float dy = target == null ? 0 : target.y() - y;
        float sign = me == positions.it() ? 1 : -1;
        float jitter = ThreadLocalRandom.current().nextFloat() - 0.5f;
        x = Math.max(0, Math.min(Arena.SIZE, x + sign * Math.signum(dx) * 0.5f + jitter));
        y = Math.max(0, Math.min(Arena.SIZE, y + sign * Math.signum(dy) * 0.5f - jitter));
        send(Move.TYPE.encode(new Move(x, y)));
    }
}
