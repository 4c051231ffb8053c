package dev.servercore.dummyclient;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.servercore.core.CloseReason;
import dev.servercore.core.PacketSession;
import dev.servercore.core.ProtocolException;
import dev.servercore.core.SessionLayer;
import dev.servercore.game.BodyReader;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Moves;
import dev.servercore.protocol.Welcome;

/**
 * A dummy session of the chat and move scenarios: welcomed, it joins its room; then the driver makes it
 * move or chat, and it checks what comes back. A move's x is its sequence number, so the session knows
 * which of its moves an S_Moves entry shows (moves coalesce: the entry shows the latest) and how long it
 * took to be seen. A chat's text is its send time.
 */
final class RoomDummySession extends PacketSession {

    private static final int RING = 4096;
    /** Moves of other members timed (from their send to this session seeing them): one in this many. */
    private static final int SAMPLE_OTHERS = 8;
    private static final long NOT_OURS = Long.MIN_VALUE;

    private final RoomTraffic traffic;
    private final int index;
    private final String room;
    private final AtomicLongArray sentAt = new AtomicLongArray(RING);
    private volatile long sessionId;
    private volatile int movesSent;
    private volatile int lastSeen = -1;

    /** Null: no login; else the session joins its room once S_LoginOk came. */
    private final DummyLogin login;

    RoomDummySession(RoomTraffic traffic, DummyLogin login) {
        this.login = login;
        this.traffic = traffic;
        this.index = traffic.nextIndex(this);
        this.room = traffic.roomOf(index);
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        long now = System.nanoTime();
        switch (packetId) {
            case Welcome.ID -> send(login != null ? login.loginFrame() : new JoinRoom(room).encode());
            case SessionLayer.S_LOGIN_OK -> send(new JoinRoom(room).encode());
            case JoinedRoom.ID -> {
                JoinedRoom joined = JoinedRoom.TYPE.decode(body);
                if (!joined.room().equals(room)) {
                    traffic.outOfPlace.increment();
                }
                sessionId = joined.sessionId();
                traffic.joined(room, sessionId);
            }
            case Moves.ID -> {
                // read in place: a load generator must stay lighter than the server it drives
                BodyReader in = new BodyReader(body);
                if (in.remaining() % Moves.ENTRY_SIZE != 0) {
                    traffic.errors.increment();
                    throw new ProtocolException("S_Moves of " + in.remaining() + " bytes");
                }
                traffic.received.add(in.remaining() / Moves.ENTRY_SIZE);
                while (in.hasRemaining()) {
                    long id = in.u32();
                    int x = in.i32();
                    int y = in.i32();
                    if (id == sessionId) {
                        seenOwn(x, y, now);
                    } else if (!traffic.isMember(room, id)) {
                        traffic.outOfPlace.increment();
                    } else if (x % SAMPLE_OTHERS == 0) {
                        long sent = traffic.moveSentAt(y, x);
                        traffic.delivered(id, sessionId, sent == 0 ? 0 : now - sent);
                    }
                }
            }
            case ChatMessage.ID -> {
                ChatMessage chat = ChatMessage.TYPE.decode(body);
                traffic.received.increment();
                long sentAt = sentAtOf(chat.text());
                if (!traffic.isMember(room, chat.senderSessionId()) || sentAt == NOT_OURS) {
                    traffic.outOfPlace.increment(); // not one of this run's chats: someone else's in the room
                } else {
                    long nanos = now - sentAt;
                    traffic.latency(nanos);
                    if (chat.senderSessionId() != sessionId) {
                        traffic.delivered(chat.senderSessionId(), sessionId, nanos);
                    }
                }
            }
            case SessionLayer.S_KICK -> {
                // the server's reason for the close that follows; the disconnect is counted then
            }
            default -> {
                traffic.errors.increment();
                throw new ProtocolException("unexpected packet " + packetId);
            }
        }
    }

    /** The send time a chat of this run carries as its text (System.nanoTime), or NOT_OURS for any other text. */
    private static long sentAtOf(String text) {
        if (text.isEmpty() || text.length() > 20) {
            return NOT_OURS;
        }
        for (int i = text.charAt(0) == '-' ? 1 : 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return NOT_OURS;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException tooLong) {
            return NOT_OURS;
        }
    }

    private void seenOwn(int seq, int y, long now) {
        if (y != index || seq < lastSeen || seq >= movesSent) {
            traffic.outOfPlace.increment(); // not a move of ours, or one seen going backwards
            return;
        }
        if (seq > lastSeen) {
            lastSeen = seq;
            traffic.latency(now - sentAt.get(seq % RING));
        }
    }

    /** From the driver's thread. */
    void move() {
        int seq = movesSent;
        sentAt.set(seq % RING, System.nanoTime());
        movesSent = seq + 1;
        traffic.sent.increment();
        send(new Move(seq, index).encode());
    }

    /** When move {@code seq} was sent, or 0 if it was not, or too long ago to be remembered. */
    long sentAt(int seq) {
        int sent = movesSent;
        return seq >= 0 && seq < sent && seq > sent - RING ? sentAt.get(seq % RING) : 0;
    }

    void chat() {
        traffic.sent.increment();
        traffic.chatSent(room);
        send(new ChatRequest(Long.toString(System.nanoTime())).encode());
    }

    int index() {
        return index;
    }

    boolean isJoined() {
        return sessionId != 0;
    }

    /** Every move sent has been seen (the last one, which stands for those coalesced into it). */
    boolean sawItsLastMove() {
        return lastSeen == movesSent - 1;
    }

    String room() {
        return room;
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        traffic.forget(index);
        CloseReason reason = closeReason();
        if (reason != CloseReason.SHUTDOWN && reason != CloseReason.LOCAL) {
            traffic.unexpectedDisconnects.increment();
        }
    }
}
