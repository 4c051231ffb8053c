package dev.servercore.server;

import java.nio.ByteBuffer;

import dev.servercore.game.PacketHandler;
import dev.servercore.game.RateLimit;
import dev.servercore.game.Room;
import dev.servercore.game.Rooms;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.Move;

/**
 * The demo game's packets (PROTOCOL.md v2): echo, chat to the sender's room, joining rooms, moving. What is
 * relayed to others is checked first: a packet that could not be relayed as PROTOCOL.md says is the sender's
 * protocol error, never its receivers' problem.
 */
public class DemoHandlers {

    static final String LOBBY = "lobby";

    private final Rooms rooms;
    private final Movement movement;
    private final int maxFrameSize;

    public DemoHandlers(Rooms rooms, Movement movement, int maxFrameSize) {
        this.rooms = rooms;
        this.movement = movement;
        this.maxFrameSize = maxFrameSize;
    }

    @PacketHandler(Echo.ID)
    void echo(GameSession session, ByteBuffer body) {
        session.send(Echo.reply(body));
    }

    /**
     * Relayed as it came, to the room's members at its next tick, within the sender's budget of the tick: text
     * that is not UTF-8, or too long for its S_Chat to fit the maximum frame, closes the sender (protocol_error).
     * At most what a person types.
     */
    @PacketHandler(ChatRequest.ID)
    @RateLimit(perSecond = "${servercore.demo.chat-per-second:5}", burst = "${servercore.demo.chat-burst:10}")
    void chat(GameSession session, ByteBuffer text) {
        byte[] relayed = ChatMessage.relay(session.id(), text, maxFrameSize);
        Room room = rooms.roomOf(session);
        if (room != null) {
            room.broadcast(session, relayed);
        }
    }

    @PacketHandler
    @RateLimit(perSecond = "${servercore.demo.join-per-second:2}", burst = "${servercore.demo.join-burst:5}")
    void joinRoom(GameSession session, JoinRoom request) {
        session.asks(request.room()); // the lobby's first join, still on its way, is not answered
        // answered by Movement.onJoin, or here if the session is in that room already; a refusal kicks it
        rooms.join(session, request.room()).thenAccept(room -> movement.answerJoin(room, session));
    }

    /** At most what a client at twice the tick rate sends; moves of one tick coalesce anyway. */
    @PacketHandler
    @RateLimit(perSecond = "${servercore.demo.move-per-second:40}", burst = "${servercore.demo.move-burst:40}")
    void move(GameSession session, Move move) {
        Room room = rooms.roomOf(session);
        if (room != null) {
            movement.moved(room, session, move);
        }
    }
}
