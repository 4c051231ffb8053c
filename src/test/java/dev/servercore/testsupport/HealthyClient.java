package dev.servercore.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;


/**
 * A well-behaved client that echoes in a loop on its own thread, checking every reply, while a test
 * does something nasty next to it. {@link #close()} fails the test if it ever missed a beat.
 */
public final class HealthyClient implements AutoCloseable {

    private static final int ECHO = 2;

    private final FrameClient client;
    private final Thread thread;
    private final AtomicLong echoes = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    public HealthyClient(int port) throws Exception {
        client = FrameClient.connect(port);
        client.readFrame(); // the welcome
        thread = new Thread(this::loop, "healthy-client");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            for (long i = 0; running; i++) {
                byte[] body = ("healthy " + i).getBytes(StandardCharsets.UTF_8);
                client.sendFrame(ECHO, body);
                FrameClient.Frame reply = client.readFrame();
                if (reply.packetId() != ECHO || !java.util.Arrays.equals(reply.body(), body)) {
                    throw new AssertionError("healthy client got a wrong reply to echo " + i);
                }
                echoes.incrementAndGet();
                Thread.sleep(5);
            }
        } catch (Throwable t) {
            if (running) {
                failure.set(t);
            }
        }
    }

    public long echoes() {
        return echoes.get();
    }

    /** Stops, and throws if the client ever failed or made no progress. */
    @Override
    public void close() throws Exception {
        long before = echoes.get();
        Thread.sleep(100);
        running = false;
        thread.join(5_000);
        client.close();
        if (failure.get() != null) {
            throw new AssertionError("the healthy session was disturbed", failure.get());
        }
        if (echoes.get() == 0 || echoes.get() == before) {
            throw new AssertionError("the healthy session made no progress (" + echoes.get() + " echoes)");
        }
    }
}
