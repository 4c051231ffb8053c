package dev.servercore.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test during which any thread died of an uncaught exception (and the class, for one that died
 * between its tests): a green run must not hide a stack trace. Registered for every test class through
 * {@code META-INF/services} and {@code junit-platform.properties}.
 */
public final class UncaughtExceptionGuard implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> uncaught = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        check(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context.getDisplayName() + " (between or after its tests)");
    }

    /** What died since the last look, taken (so that the guard's own test can see it and go on). */
    static List<String> takeUncaught() {
        List<String> seen = new ArrayList<>();
        for (String failure; (failure = uncaught.poll()) != null; ) {
            seen.add(failure);
        }
        return seen;
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
            uncaught.add(thread.getName() + ": " + failure);
            if (previous != null) {
                previous.uncaughtException(thread, failure);
            } else {
                System.err.print("Uncaught in thread \"" + thread.getName() + "\" ");
                failure.printStackTrace();
            }
        });
        installed = true;
    }

    private static void check(String where) {
        List<String> seen = takeUncaught();
        if (!seen.isEmpty()) {
            throw new AssertionError("Uncaught exceptions in other threads during " + where + ": " + seen);
        }
    }
}
