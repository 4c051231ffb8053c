package dev.servercore.testsupport;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds, failing after a bounded time. */
public final class Await {

    private Await() {
    }

    public static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }
}
