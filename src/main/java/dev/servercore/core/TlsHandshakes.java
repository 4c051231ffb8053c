package dev.servercore.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLEngine;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The threads of one endpoint that run TLS handshakes' delegated tasks ({@link SSLEngine#getDelegatedTask()}:
 * key exchange, signatures, certificate checks), so that the event loops never do: a fixed number of threads,
 * and a bounded queue of tasks waiting for them. When the queue is full the connection asking is refused; a
 * flood of handshakes then costs these threads, not the loops. Idle threads end after a while.
 */
final class TlsHandshakes {

    private static final Log log = LogFactory.getLog(TlsHandshakes.class);
    private static final long IDLE_SECONDS = 30;

    private final ThreadPoolExecutor executor;

    TlsHandshakes(String endpoint, int threads, int queue) {
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), task -> {
                    Thread thread = new Thread(task, "servercore-" + endpoint + "-tls-" + count.getAndIncrement());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Takes the engine's delegated tasks (on the loop, before anything else touches the engine) and runs them on
     * a handshake thread; {@code done} is then posted to {@code loop}. Until it runs, the engine must not be
     * touched: its methods would wait for the task's lock.
     *
     * @return false if the queue is full: nothing was taken, and the caller refuses the connection
     */
    boolean run(SSLEngine engine, Executor loop, Runnable done) {
        if (executor.getQueue().remainingCapacity() == 0) {
            return false;
        }
        List<Runnable> tasks = new ArrayList<>(1);
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            tasks.add(task);
        }
        try {
            executor.execute(() -> {
                try {
                    for (Runnable task : tasks) {
                        task.run(); // a failure is kept by the engine, and thrown by its next wrap or unwrap
                    }
                } catch (RuntimeException | Error e) {
                    log.debug("A TLS handshake task failed", e);
                } finally {
                    try {
                        loop.execute(done);
                    } catch (RejectedExecutionException stopped) {
                        // the loop has ended, and the connection with it
                    }
                }
            });
            return true;
        } catch (RejectedExecutionException full) { // filled meanwhile by another loop: the tasks are dropped
            return false;
        }
    }
}
