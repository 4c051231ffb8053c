package dev.servercore.core;

import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** Sending to many sessions at once. */
public final class Sessions {

    private static final Log log = LogFactory.getLog(Sessions.class);

    private Sessions() {
    }

    /**
     * Queues one array to each of {@code sessions}: what {@link Session#send(byte[])} does for each (the same
     * order with the calling thread's other sends, the same queue limits; an override of {@code send} is not
     * called), with one difference: from a thread other than their event loops, each loop gets one task that
     * drains and writes all of its sessions in one go, instead of a task (and a wake-up check) per session.
     * A room's tick sends its batch to every member this way. The array must not change afterwards.
     *
     * @return how many of the sessions took the bytes
     */
    public static int sendAll(Iterable<? extends Session> sessions, byte[] data) {
        Drain drains = null; // the sessions of a room sit on one or a few loops: a short list, no map
        int reached = 0;
        try {
            for (Session session : sessions) {
                SessionConnection connection = session.connection();
                if (connection == null) {
                    continue;
                }
                EventLoop loop = connection.loop();
                if (loop.inLoop()) {
                    if (connection.send(session, data)) { // gathered, and written once the loop's pass is over
                        reached++;
                    }
                    continue;
                }
                int offered = connection.offer(session, data);
                if (offered == SessionConnection.REFUSED) {
                    continue;
                }
                reached++;
                if (offered == SessionConnection.QUEUED_DRAIN_DUE) {
                    Drain drain = drains;
                    while (drain != null && drain.loop != loop) {
                        drain = drain.next;
                    }
                    if (drain == null) {
                        drains = drain = new Drain(loop, drains);
                    }
                    drain.add(connection);
                }
            }
        } finally {
            // every session given a drain-due send gets its drain, even if the iteration threw: its
            // drain-scheduled flag is set, and no later send would post one
            reached -= post(drains);
        }
        return reached;
    }

    /** Posts each loop's drain; returns how many sessions were on loops that have ended. */
    private static int post(Drain drains) {
        int lost = 0;
        for (Drain drain = drains; drain != null; drain = drain.next) {
            try {
                drain.loop.execute(drain);
            } catch (RejectedExecutionException stopped) {
                lost += drain.size; // the loop has ended, and these sessions with it
            }
        }
        return lost;
    }

    /** The connections of one loop whose inbox the loop is to drain and write: one task. */
    private static final class Drain implements Runnable {

        final EventLoop loop;
        final Drain next;
        private SessionConnection[] connections = new SessionConnection[16];
        int size;

        Drain(EventLoop loop, Drain next) {
            this.loop = loop;
            this.next = next;
        }

        void add(SessionConnection connection) {
            if (size == connections.length) {
                connections = Arrays.copyOf(connections, size * 2);
            }
            connections[size++] = connection;
        }

        @Override
        public void run() {
            for (int i = 0; i < size; i++) {
                SessionConnection connection = connections[i];
                loop.running(connection.session());
                try {
                    connection.drainAndFlush();
                } catch (Throwable t) {
                    log.error(loop.name() + ": unexpected failure flushing " + connection.session(), t);
                    connection.abort(CloseReason.ERROR);
                }
            }
        }
    }
}
