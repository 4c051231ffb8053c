package dev.servercore.game;

import java.nio.ByteBuffer;
import java.util.function.ToIntFunction;

import dev.servercore.core.Frames;
import dev.servercore.core.ProtocolException;

/**
 * One packet of a protocol: its id, how its body is read and how it is written, declared once (usually as the
 * {@code TYPE} constant of a {@link Packet} record). Immutable; {@link #sized} and {@link #maxBodySize} return
 * a new type.
 *
 * @param <P> the packet's Java type
 */
public final class PacketType<P> {

    /** Reads a packet from its body; a malformed body throws {@link ProtocolException}. */
    @FunctionalInterface
    public interface Reader<P> {
        P read(BodyReader in);
    }

    /** Writes a packet's fields into its body. */
    @FunctionalInterface
    public interface Writer<P> {
        void write(P packet, BodyWriter out);
    }

    /** What a writer starts with when the type says nothing of its bodies' size. */
    static final int DEFAULT_BODY_CAPACITY = 64;
    private static final int MAX_BODY_SIZE = Frames.MAX_FRAME_SIZE - Frames.HEADER_SIZE;

    private final int id;
    private final Reader<P> reader;
    private final Writer<? super P> writer;
    private final ToIntFunction<? super P> bodySize;
    private final int maxBodySize;

    private PacketType(int id, Reader<P> reader, Writer<? super P> writer, ToIntFunction<? super P> bodySize,
            int maxBodySize) {
        this.id = id;
        this.reader = reader;
        this.writer = writer;
        this.bodySize = bodySize;
        this.maxBodySize = maxBodySize;
    }

    /** Packet {@code id} (0..65535), read by {@code reader} and written by {@code writer}. */
    public static <P> PacketType<P> of(int id, Reader<P> reader, Writer<? super P> writer) {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("packet id " + id + " is not 0..65535");
        }
        if (reader == null || writer == null) {
            throw new IllegalArgumentException("packet " + id + " needs a reader and a writer");
        }
        return new PacketType<>(id, reader, writer, null, MAX_BODY_SIZE);
    }

    /**
     * This type, told each packet's body size before it is written: a frame is then made in exactly one array, with
     * no growing and no trimming copy. A wrong size costs a copy, never a wrong frame.
     */
    public PacketType<P> sized(ToIntFunction<? super P> bodySize) {
        return new PacketType<>(id, reader, writer, bodySize, maxBodySize);
    }

    /**
     * This type with bodies of at most {@code bytes} coming in: a longer one is a protocol error before anything
     * is read. What is sent is bounded by the frame only (a relayed packet may carry more than its request).
     */
    public PacketType<P> maxBodySize(int bytes) {
        if (bytes < 0 || bytes > MAX_BODY_SIZE) {
            throw new IllegalArgumentException("packet " + id + ": a body is 0.." + MAX_BODY_SIZE + " bytes, not "
                    + bytes);
        }
        return new PacketType<>(id, reader, writer, bodySize, bytes);
    }

    public int id() {
        return id;
    }

    /** The most bytes a body of this type that comes in may have (at most what one frame carries). */
    public int maxBodySize() {
        return maxBodySize;
    }

    /**
     * The packet in {@code body}, from its position to its limit; the buffer is not moved. A body too long, too
     * short, malformed, or with bytes left after the packet was read, is a {@link ProtocolException}.
     */
    public P decode(ByteBuffer body) {
        if (body.remaining() > maxBodySize) {
            throw new ProtocolException("packet " + id + ": body of " + body.remaining() + " bytes; at most "
                    + maxBodySize);
        }
        BodyReader in = new BodyReader(body);
        P packet;
        try {
            packet = reader.read(in);
        } catch (ProtocolException e) {
            throw new ProtocolException("packet " + id + ": " + e.getMessage());
        }
        if (in.hasRemaining()) {
            throw new ProtocolException("packet " + id + ": " + in.remaining() + " bytes after the last field");
        }
        return packet;
    }

    /** Reads the packet's fields from {@code in} (to nest one packet type in another). */
    public P read(BodyReader in) {
        return reader.read(in);
    }

    /** Writes the packet's fields into {@code out} (to nest one packet type in another). */
    public void write(P packet, BodyWriter out) {
        writer.write(packet, out);
    }

    /** {@code packet} as one whole frame: header and body, in one array. */
    public byte[] encode(P packet) {
        BodyWriter out = new BodyWriter(bodySize == null ? DEFAULT_BODY_CAPACITY : bodySize.applyAsInt(packet));
        writer.write(packet, out);
        return out.toFrame(id);
    }

    @Override
    public String toString() {
        return "PacketType(" + id + ")";
    }
}
