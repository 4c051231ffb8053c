package dev.servercore.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where session ids come from. The engine takes one as each session opens, before {@code onConnected}.
 * By default every endpoint of the process counts from one shared sequence; a cluster gives each node
 * ids of its own (see {@code servercore.cluster}).
 */
@FunctionalInterface
public interface SessionIds {

    /** A positive id that no open session of this application (or cluster) has. Any thread. */
    int next();

    /** 1, 2, 3... one sequence for the whole process, back to 1 after {@link Integer#MAX_VALUE}. */
    static SessionIds sequential() {
        return Sequential.PROCESS;
    }

    final class Sequential implements SessionIds {

        static final Sequential PROCESS = new Sequential();
        private final AtomicInteger last = new AtomicInteger();

        private Sequential() {
        }

        @Override
        public int next() {
            return last.updateAndGet(id -> id == Integer.MAX_VALUE ? 1 : id + 1);
        }
    }
}
