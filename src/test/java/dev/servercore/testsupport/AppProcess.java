package dev.servercore.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.servercore.ServerCoreApplication;

/**
 * The application in a JVM of its own, as a user starts it (the test's classpath, the main class, the
 * given arguments and environment), with its output in a file the test can watch.
 */
public final class AppProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private AppProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static AppProcess start(String... args) throws IOException {
        return start(Map.of(), List.of(args));
    }

    public static AppProcess start(Map<String, String> environment, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServerCoreApplication.class.getName()));
        command.addAll(args);
        return run(command, null, environment);
    }

    /** Any command, in a directory of its choosing (null: this one), with extra environment variables. */
    public static AppProcess run(List<String> command, Path directory, Map<String, String> environment)
            throws IOException {
        Path log = Files.createTempFile("servercore-app", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        return new AppProcess(builder.start(), log);
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<String> lines() {
        return output().lines().toList();
    }

    /** Waits for a line of output that matches, after the first {@code skipLines} lines; returns it. */
    public String awaitLine(String what, Duration timeout, int skipLines, Predicate<String> matches)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = lines();
            for (int i = skipLines; i < lines.size(); i++) {
                if (matches.test(lines.get(i))) {
                    return lines.get(i);
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No line for '" + what + "' within " + timeout + " (alive=" + process.isAlive()
                + "):\n" + output());
    }

    public String awaitLine(String what, Duration timeout, Predicate<String> matches) throws InterruptedException {
        return awaitLine(what, timeout, 0, matches);
    }

    /** SIGTERM, as {@code docker stop} or {@code kill} sends. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: no shutdown of any kind. */
    public void kill() {
        process.destroyForcibly();
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("Did not exit within " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
