package dev.servercore.dummyclient;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.servercore.core.ProtocolException;
import dev.servercore.game.BodyReader;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Moves;

/**
 * A player of the chat and move scenarios, whatever carries its frames (one connection, or a resumable link over
 * several): once ready it joins its room; then the driver makes it move or chat, and it checks what comes back.
 * A move's x is its sequence number and its y the mover's index, so a receiver knows which move an S_Moves entry
 * shows (moves coalesce: the entry shows the latest), how long it took, and whether one came twice or backwards.
 * A chat's text is {@code index:seq:sendNanos}: who sent it, its number, and its send time.
 */
final class RoomPlayer {

    /** Where the player's frames go. */
    interface Outbox {
        boolean send(byte[] frame);
    }

    private static final int RING = 4096;
    /** Moves of other members timed (from their send to this player seeing them): one in this many. */
    private static final int SAMPLE_OTHERS = 8;

    private final RoomTraffic traffic;
    private final Outbox outbox;
    private final int index;
    private final String room;
    private final AtomicLongArray sentAt = new AtomicLongArray(RING);
    private final ChatSequences chats = new ChatSequences();
    private final MoveSequences moves = new MoveSequences();
    private volatile long sessionId;
    private volatile int movesSent;
    private volatile long chatsSent;
    private volatile int lastSeen = -1;
    /** Its session is gone for good (a failed resume): it no longer plays, and is no longer checked. */
    private volatile boolean lost;

    RoomPlayer(RoomTraffic traffic, Outbox outbox) {
        this.traffic = traffic;
        this.outbox = outbox;
        this.index = traffic.nextIndex(this);
        this.room = traffic.roomOf(index);
    }

    /** Welcomed (and logged in, and made resumable, as configured): it joins its room. */
    void ready() {
        outbox.send(new JoinRoom(room).encode());
    }

    /** A game packet for the player. */
    void onPacket(int packetId, ByteBuffer body, long now) {
        switch (packetId) {
            case JoinedRoom.ID -> {
                JoinedRoom joined = JoinedRoom.TYPE.decode(body);
                if (!joined.room().equals(room)) {
                    traffic.outOfPlace.increment();
                }
                sessionId = joined.sessionId();
                traffic.joined(room, sessionId);
            }
            case Moves.ID -> moves(body, now);
            case ChatMessage.ID -> chat(ChatMessage.TYPE.decode(body), now);
            default -> {
                traffic.errors.increment();
                throw new ProtocolException("unexpected packet " + packetId);
            }
        }
    }

    private void moves(ByteBuffer body, long now) {
        // read in place: a load generator must stay lighter than the server it drives
        BodyReader in = new BodyReader(body);
        if (in.remaining() % Moves.ENTRY_SIZE != 0) {
            traffic.errors.increment();
            throw new ProtocolException("S_Moves of " + in.remaining() + " bytes");
        }
        traffic.received.add(in.remaining() / Moves.ENTRY_SIZE);
        boolean checking = traffic.isCheckingSequences();
        while (in.hasRemaining()) {
            long id = in.u32();
            int x = in.i32();
            int y = in.i32();
            if (id == sessionId) {
                seenOwn(x, y, now);
            } else if (!traffic.isMember(room, id) || !traffic.sameRoom(index, y)) {
                traffic.outOfPlace.increment();
            } else {
                if (checking) {
                    traffic.count(moves.seen(traffic.slotOf(y), x));
                }
                if (x % SAMPLE_OTHERS == 0) {
                    long sent = traffic.moveSentAt(y, x);
                    traffic.delivered(id, sessionId, sent == 0 ? 0 : now - sent);
                }
            }
        }
    }

    private void seenOwn(int seq, int y, long now) {
        if (y != index || seq >= movesSent) {
            traffic.outOfPlace.increment(); // not a move of ours
        } else if (seq > lastSeen) {
            lastSeen = seq;
            traffic.latency(now - sentAt.get(seq % RING));
        } else if (seq == lastSeen) {
            if (traffic.isCheckingSequences()) {
                traffic.count(MoveSequences.Outcome.DUPLICATE);
            }
        } else if (traffic.isCheckingSequences()) {
            traffic.count(MoveSequences.Outcome.OUT_OF_ORDER);
        } else {
            traffic.outOfPlace.increment(); // going backwards
        }
    }

    private void chat(ChatMessage chat, long now) {
        traffic.received.increment();
        ChatText text = ChatText.parse(chat.text());
        if (text == null || !traffic.isMember(room, chat.senderSessionId()) || !traffic.sameRoom(index, text.index())) {
            traffic.outOfPlace.increment(); // not one of this run's chats: someone else's in the room
            return;
        }
        if (traffic.isCheckingSequences()) {
            traffic.count(chats.received(traffic.slotOf(text.index()), text.seq()));
        }
        long nanos = now - text.sentAt();
        traffic.latency(nanos);
        if (chat.senderSessionId() != sessionId) {
            traffic.delivered(chat.senderSessionId(), sessionId, nanos);
        }
    }

    /** From the driver's thread. */
    void move() {
        if (lost) {
            return;
        }
        int seq = movesSent;
        sentAt.set(seq % RING, System.nanoTime());
        movesSent = seq + 1;
        traffic.sent.increment();
        outbox.send(new Move(seq, index).encode());
    }

    /** From the driver's thread. */
    void chat() {
        if (lost) {
            return;
        }
        long seq = chatsSent;
        chatsSent = seq + 1;
        traffic.sent.increment();
        traffic.chatSent(room);
        outbox.send(new ChatRequest(new ChatText(index, seq, System.nanoTime()).toString()).encode());
    }

    /** When move {@code seq} was sent, or 0 if it was not, or too long ago to be remembered. */
    long sentAt(int seq) {
        int sent = movesSent;
        return seq >= 0 && seq < sent && seq > sent - RING ? sentAt.get(seq % RING) : 0;
    }

    /** This player's chats that {@code receiver} has not received (only gaps, once this player is lost). */
    long chatsMissedBy(RoomPlayer receiver) {
        return receiver.chats.lost(traffic.slotOf(index), lost ? -1 : chatsSent);
    }

    String describeChatsMissedBy(RoomPlayer receiver) {
        return receiver.chats.describeLost(traffic.slotOf(index), lost ? -1 : chatsSent, 10);
    }

    /** Whether {@code receiver} has seen this player's last move (moves coalesce: the last stands for all). */
    boolean lastMoveSeenBy(RoomPlayer receiver) {
        if (lost || movesSent == 0) {
            return true;
        }
        int seen = receiver == this ? lastSeen : receiver.moves.last(traffic.slotOf(index));
        return seen == movesSent - 1;
    }

    int index() {
        return index;
    }

    String room() {
        return room;
    }

    /** The session id its S_JoinedRoom gave it, or 0 before. */
    long sessionId() {
        return sessionId;
    }

    boolean isJoined() {
        return sessionId != 0;
    }

    /** Every move sent has been seen (the last one, which stands for those coalesced into it); a lost player's too. */
    boolean sawItsLastMove() {
        return lastMoveSeenBy(this);
    }

    void lose() {
        lost = true;
    }

    boolean isLost() {
        return lost;
    }

    /** A chat's text in this run: {@code index:seq:sendNanos}. */
    record ChatText(int index, long seq, long sentAt) {

        private static final int MAX_LENGTH = 50;

        @Override
        public String toString() {
            return index + ":" + seq + ":" + sentAt;
        }

        /** The text's fields, or null for any other text (someone else's chat). */
        static ChatText parse(String text) {
            if (text.length() > MAX_LENGTH) {
                return null;
            }
            String[] parts = text.split(":", -1);
            if (parts.length != 3 || !digits(parts[0], false) || !digits(parts[1], false) || !digits(parts[2], true)) {
                return null;
            }
            try {
                return new ChatText(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            } catch (NumberFormatException tooLong) {
                return null;
            }
        }

        private static boolean digits(String part, boolean signed) {
            int from = signed && part.startsWith("-") ? 1 : 0;
            if (part.length() == from) {
                return false;
            }
            for (int i = from; i < part.length(); i++) {
                if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }
    }
}
