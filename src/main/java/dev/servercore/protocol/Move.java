package dev.servercore.protocol;

import java.nio.ByteBuffer;

/** C_Move (10): client to server, the sender's new position. */
public record Move(int x, int y) {

    public static final int ID = 10;

    public static Move decode(ByteBuffer body) {
        ByteBuffer in = Bodies.reader(body);
        Bodies.need(in, 8, "C_Move");
        Move move = new Move(in.getInt(), in.getInt());
        Bodies.end(in, "C_Move");
        return move;
    }

    public byte[] encode() {
        return Bodies.frame(ID, 8).putInt(x).putInt(y).array();
    }
}
