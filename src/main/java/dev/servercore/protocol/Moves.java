package dev.servercore.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;

/** S_Moves (11): server to every member of a room, the latest position of each member that moved. */
public record Moves(List<Entry> entries) {

    public static final int ID = 11;
    public static final int ENTRY_SIZE = 12;

    /** One member's position. */
    public record Entry(long sessionId, int x, int y) {
    }

    public Moves {
        entries = List.copyOf(entries);
    }

    public static Moves decode(ByteBuffer body) {
        ByteBuffer in = Bodies.reader(body);
        if (in.remaining() % ENTRY_SIZE != 0) {
            throw new ProtocolException("S_Moves: body of " + in.remaining() + " bytes is not whole entries");
        }
        List<Entry> entries = new ArrayList<>(in.remaining() / ENTRY_SIZE);
        while (in.hasRemaining()) {
            entries.add(new Entry(Bodies.u32(in), in.getInt(), in.getInt()));
        }
        return new Moves(entries);
    }

    /** One frame; {@link #maxEntries} says how many fit in one. */
    public byte[] encode() {
        ByteBuffer out = Bodies.frame(ID, entries.size() * ENTRY_SIZE);
        for (Entry entry : entries) {
            out.putInt((int) entry.sessionId()).putInt(entry.x()).putInt(entry.y());
        }
        return out.array();
    }

    /** Most entries in one frame of at most {@code maxFrameSize} bytes. */
    public static int maxEntries(int maxFrameSize) {
        return (Math.min(maxFrameSize, Frames.MAX_FRAME_SIZE) - Frames.HEADER_SIZE) / ENTRY_SIZE;
    }
}
