package dev.servercore.protocol;

import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;
import dev.servercore.game.BodyReader;
import dev.servercore.game.BodyWriter;
import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** S_Moves (11): server to every member of a room, the latest position of each member that moved. */
public record Moves(List<Entry> entries) implements Packet {

    public static final int ID = 11;
    public static final int ENTRY_SIZE = 12;
    /** One frame, made in one array of its exact size; {@link #maxEntries} says how many entries fit in one. */
    public static final PacketType<Moves> TYPE = PacketType.of(ID, Moves::read, Moves::write)
            .sized(moves -> moves.entries().size() * ENTRY_SIZE);

    /** One member's position. */
    public record Entry(long sessionId, int x, int y) {
    }

    public Moves {
        entries = List.copyOf(entries);
    }

    @Override
    public PacketType<Moves> type() {
        return TYPE;
    }

    private static Moves read(BodyReader in) {
        if (in.remaining() % ENTRY_SIZE != 0) {
            throw new ProtocolException("S_Moves: body of " + in.remaining() + " bytes is not whole entries");
        }
        List<Entry> entries = new ArrayList<>(in.remaining() / ENTRY_SIZE);
        while (in.hasRemaining()) {
            entries.add(new Entry(in.u32(), in.i32(), in.i32()));
        }
        return new Moves(entries);
    }

    private static void write(Moves moves, BodyWriter out) {
        for (Entry entry : moves.entries()) {
            out.u32(entry.sessionId()).i32(entry.x()).i32(entry.y());
        }
    }

    /** Most entries in one frame of at most {@code maxFrameSize} bytes. */
    public static int maxEntries(int maxFrameSize) {
        return (Math.min(maxFrameSize, Frames.MAX_FRAME_SIZE) - Frames.HEADER_SIZE) / ENTRY_SIZE;
    }
}
