package dev.servercore.core;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The engine's one timer thread, for every endpoint of the process: reconnect backoffs and the check
 * for stalled writes. It only schedules and checks; I/O runs on I/O threads.
 */
final class EngineTimer {

    static final ScheduledExecutorService INSTANCE = create();

    private EngineTimer() {
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "servercore-timer");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
