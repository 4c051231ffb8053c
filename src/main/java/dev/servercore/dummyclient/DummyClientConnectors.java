package dev.servercore.dummyclient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.Connector;
import dev.servercore.core.Session;
import org.springframework.context.SmartLifecycle;

/**
 * The dummy client's connectors: one per port it spreads its sessions over (servercore.dummyclient.ports,
 * e.g. the gateways of a cluster); by default the one servercore.connector.port. Connects go to the ports
 * in runs of {@code run} (the number of rooms), so that each room's members are spread over every port
 * rather than one room per port.
 */
final class DummyClientConnectors implements SmartLifecycle {

    private final List<Connector> connectors;
    private final int run;
    private final AtomicInteger turn = new AtomicInteger();

    DummyClientConnectors(List<Connector> connectors, int run) {
        this.connectors = List.copyOf(connectors);
        this.run = Math.max(1, run);
    }

    CompletableFuture<Session> connect() {
        return connectTo(nextConnector());
    }

    /** The connector the next connect goes to (in turn, in runs of {@code run}). */
    int nextConnector() {
        return Math.floorMod(turn.getAndIncrement() / run, connectors.size());
    }

    /** A connect through that connector (a resumed session reconnects where it was). */
    CompletableFuture<Session> connectTo(int connector) {
        return connectors.get(connector).connect();
    }

    /** Keeps {@code count} sessions connected, spread over the ports. */
    void keepConnected(int count) {
        int n = connectors.size();
        for (int i = 0; i < n; i++) {
            connectors.get(i).keepConnected(count / n + (i < count % n ? 1 : 0));
        }
    }

    List<Session> sessions() {
        List<Session> all = new ArrayList<>();
        for (Connector connector : connectors) {
            all.addAll(connector.sessions().all());
        }
        return all;
    }

    int open() {
        return connectors.stream().mapToInt(c -> c.sessions().count()).sum();
    }

    /** The connectors' names: the {@code endpoint} tag of their meters. */
    List<String> names() {
        return connectors.stream().map(Connector::name).toList();
    }

    @Override
    public void start() {
        connectors.forEach(Connector::start);
    }

    @Override
    public void stop() {
        connectors.forEach(Connector::stop);
    }

    @Override
    public boolean isRunning() {
        return connectors.stream().anyMatch(Connector::isRunning);
    }

    @Override
    public int getPhase() {
        return connectors.get(0).getPhase();
    }
}
