package dev.servercore.testsupport;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed in the reverse order (a JUnit {@code @AfterEach} calls {@link #close}). */
public final class Closer implements AutoCloseable {

    private final List<AutoCloseable> resources = new ArrayList<>();

    public <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}
