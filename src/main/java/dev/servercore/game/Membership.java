package dev.servercore.game;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.servercore.core.Session;

/**
 * Where one session is and is going. Its joins and leaves are steps run one after another on the rooms' worker
 * threads (a step takes jobs of two rooms: out of the old one, then into the new one), so they never overlap and
 * keep the order they were asked in. At most one request waits behind the step running: a later request
 * replaces it (the latest join wins), and a join whose step has not made the session a member yet gives way to
 * a later request too. Asking is lock-free: an event loop never waits here.
 */
final class Membership {

    /** A request: a join of {@code room} (completing {@code result}), or a leave ({@code room} null). */
    private record Request(String room, CompletableFuture<Room> result) {
        boolean isJoinOf(String name) {
            return room != null && room.equals(name);
        }
    }

    private static final Request LEAVE = new Request(null, null);
    /** The session ended: the last request, never replaced. */
    private static final Request END = new Request(null, null);

    private final Rooms rooms;
    private final Session session;
    /** The room the session is a member of: written by its steps (in room jobs), read by any thread. */
    volatile Room current;
    /** The request waiting for the step running (or for the next one). */
    private final AtomicReference<Request> next = new AtomicReference<>();
    /** A step is running or handed to a worker. */
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean ending;
    /** Jobs for the session's room asked while a step ran: handed to the room once the steps are done. */
    private final Queue<Consumer<Room>> forRoom = new ConcurrentLinkedQueue<>();
    private final AtomicInteger forRoomCount = new AtomicInteger();

    Membership(Rooms rooms, Session session) {
        this.rooms = rooms;
        this.session = session;
    }

    CompletionStage<Room> join(String room) {
        CompletableFuture<Room> result = new CompletableFuture<>();
        if (!ask(new Request(room, result))) {
            fail(new Request(room, result), JoinFailedException.Reason.SESSION_ENDED);
        }
        return result;
    }

    void leave() {
        ask(LEAVE);
    }

    /**
     * A job of the room the session is in once what it asked so far is done (at once if nothing is on its way).
     * False if it is dropped: the session is in no room then, or ended, or has max-queued-jobs waiting.
     */
    boolean executeInRoom(Consumer<Room> job) {
        if (ending) {
            return false;
        }
        if (!running.get() && forRoom.isEmpty()) { // no join or leave on its way: its room is the one
            Room room = current;
            return room != null && room.execute(() -> job.accept(room));
        }
        if (forRoomCount.incrementAndGet() > rooms.maxQueuedJobs()) {
            forRoomCount.decrementAndGet();
            rooms.jobRefused();
            return false;
        }
        forRoom.add(job);
        wake(); // the step running hands it over as it ends; if none runs, one does now
        return true;
    }

    /** On a step's thread, no request waiting: the jobs asked meanwhile go to the room the session is in. */
    private void handOverJobs() {
        Room room = current;
        for (Consumer<Room> waiting; (waiting = forRoom.poll()) != null; ) {
            forRoomCount.decrementAndGet();
            Consumer<Room> job = waiting;
            if (room != null) {
                room.executeEngine(() -> job.accept(room)); // bounded already, by the session's jobs waiting
            }
        }
    }

    /** The session ended: whatever waits gives way, then it leaves its room and the rooms forget it. */
    void end() {
        ending = true;
        Request replaced = next.getAndSet(END);
        if (replaced != END) {
            fail(replaced, JoinFailedException.Reason.SESSION_ENDED);
            wake();
        }
    }

    /** Puts the request in line, in place of any waiting one; false once the session has ended. */
    private boolean ask(Request request) {
        if (ending) {
            return false;
        }
        while (true) {
            Request waiting = next.get();
            if (waiting == END) {
                return false;
            }
            if (next.compareAndSet(waiting, request)) {
                fail(waiting, JoinFailedException.Reason.SUPERSEDED);
                break;
            }
        }
        wake();
        return true;
    }

    /** Counted, then completed: whoever waits for the stage sees the count. Only its taker completes a request. */
    private void fail(Request request, JoinFailedException.Reason reason) {
        if (request != null && request.result() != null) {
            rooms.joinFailed(reason);
            request.result().completeExceptionally(rooms.failure(reason));
        }
    }

    private void wake() {
        if (running.compareAndSet(false, true)) {
            rooms.runStep(this::step);
        }
    }

    /** The next step, then the one after it (handed to a worker again, so that steps never nest). */
    private void done() {
        rooms.runStep(this::step);
    }

    /** On a rooms' worker thread (or in a room job, as a step goes on). */
    private void step() {
        Request request = next.get();
        if (request == END) {
            if (next.compareAndSet(END, null)) {
                leaveCurrent(() -> rooms.forget(session, this)); // the last step: running stays set
            }
            return;
        }
        if (request == null || !next.compareAndSet(request, null)) {
            if (request == null) {
                handOverJobs();
                running.set(false);
                if ((next.get() != null || !forRoom.isEmpty()) && running.compareAndSet(false, true)) {
                    done(); // asked for meanwhile
                }
            } else {
                done(); // replaced meanwhile: take the newer one
            }
            return;
        }
        if (request == LEAVE) {
            leaveCurrent(this::done);
            return;
        }
        Room room = current;
        if (room != null && room.name().equals(request.room()) && !room.dropped) {
            request.result().complete(room); // a member already
            done();
            return;
        }
        leaveCurrent(() -> enter(request));
    }

    /** Out of the old room: into the one asked for, unless a later request came meanwhile. */
    private void enter(Request request) {
        JoinFailedException.Reason gaveWay = gaveWay(request);
        if (gaveWay != null) {
            fail(request, gaveWay);
            done();
            return;
        }
        Room target;
        try {
            target = rooms.reserve(request.room());
        } catch (JoinFailedException refused) {
            if (refused.reason() != JoinFailedException.Reason.ROOM_FAILED) { // not the client's doing
                rooms.refuse(session, refused);
            }
            fail(request, refused.reason());
            done();
            return;
        }
        rooms.backplane().joining(target.name()).whenComplete((others, failure) -> target.executeEngine(() -> {
            JoinFailedException.Reason late = gaveWay(request);
            if (late == null && !session.isConnected()) {
                late = JoinFailedException.Reason.SESSION_ENDED;
            }
            if (late != null) {
                rooms.release(target);
                fail(request, late);
                done();
                return;
            }
            // before onJoin: what the client sends once onJoin told it of its room (the demo's S_JoinedRoom) must
            // find the room; what finds it earlier goes to it as a job, after this one
            current = target;
            target.addMember(session, others == null ? 0 : others);
            request.result().complete(target);
            done();
        }));
    }

    /** Why a join in progress gives way: the session is ending, or a request for another room waits. */
    private JoinFailedException.Reason gaveWay(Request request) {
        if (ending) {
            return JoinFailedException.Reason.SESSION_ENDED;
        }
        Request waiting = next.get();
        return waiting != null && !waiting.isJoinOf(request.room()) ? JoinFailedException.Reason.SUPERSEDED : null;
    }

    /** Leaves the current room (a job of it), then runs {@code then}; at once if in none. */
    private void leaveCurrent(Runnable then) {
        Room room = current;
        if (room == null) {
            then.run();
            return;
        }
        room.executeEngine(() -> {
            current = null;
            room.removeMember(session);
            rooms.release(room);
            then.run();
        });
    }
}
