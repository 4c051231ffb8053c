package dev.servercore.dummyclient;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The chat and move scenarios: every session joins one of {@code rooms} rooms, then each moves (or
 * chats) at its rate for the warm-up and the duration; the driver waits for what is still on its way and
 * logs one summary. OK only if every session joined, every move was seen by its mover (move) or every
 * chat reached every member of its room (chat), and nothing was out of place.
 */
final class RoomScenario {

    private static final Log log = LogFactory.getLog(RoomScenario.class);

    private final DummyClientProperties properties;
    private final RoomTraffic traffic;

    RoomScenario(DummyClientProperties properties, RoomTraffic traffic) {
        this.properties = properties;
        this.traffic = traffic;
    }

    /**
     * Continuous mode: every session of {@code sessions} (kept connected by the connector, so the list
     * changes) that has joined its room moves (or chats) at its rate, until the thread is interrupted;
     * the figures of each report interval are logged.
     */
    void runContinuously(Supplier<List<RoomPlayer>> sessions, ResumeFleet fleet) throws InterruptedException {
        boolean move = properties.getScenario() == DummyClientProperties.Scenario.MOVE;
        long periodMicros = periodMicros(move);
        ScheduledExecutorService driver = driver(move);
        traffic.measuring(true);
        try {
            driver.scheduleAtFixedRate(() -> {
                for (RoomPlayer session : sessions.get()) {
                    if (session.isJoined()) {
                        if (move) {
                            session.move();
                        } else if (properties.isSender(session.index())) {
                            session.chat();
                        }
                    }
                }
            }, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
            while (!Thread.currentThread().isInterrupted()) {
                long sent = traffic.sent.sum();
                long received = traffic.received.sum();
                long start = System.nanoTime();
                DummyClient.sleep(properties.getReportInterval());
                double seconds = (System.nanoTime() - start) / 1e9;
                log.info(String.format(Locale.ROOT, "Dummy client (%s): joined=%d sent_per_s=%.1f received_per_s=%.1f "
                        + "%s out_of_place=%d", move ? "move" : "chat", traffic.joinedCount(),
                        (traffic.sent.sum() - sent) / seconds, (traffic.received.sum() - received) / seconds,
                        traffic.latencyFigures(move ? "move_to_seen" : "delivery"), traffic.outOfPlace.sum())
                        + (fleet == null ? "" : " " + fleet.describe()));
            }
        } finally {
            driver.shutdownNow();
        }
    }

    /** Each session's period between moves (or chats). */
    private long periodMicros(boolean move) {
        double rate = move ? properties.getMoveRate() : properties.getChatRate();
        return Math.max(1, Math.round(1_000_000 / rate));
    }

    private static ScheduledExecutorService driver(boolean move) {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "dummyclient-" + (move ? "mover" : "chatter"));
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs it on the connected players; returns whether it passed, after logging the summary. With a fleet (the
     * players are resumable), its chaos resets connections while the players move or chat.
     */
    boolean run(List<RoomPlayer> sessions, Supplier<String> wireFigures, ResumeFleet fleet) throws InterruptedException {
        boolean move = properties.getScenario() == DummyClientProperties.Scenario.MOVE;
        boolean joined = DummyClient.await(() -> sessions.stream().allMatch(RoomPlayer::isJoined),
                properties.getTimeout());
        if (!joined) {
            log.error("Only " + traffic.joinedCount() + " of " + properties.getSessions() + " sessions joined a room");
        } else {
            traffic.freezeMembers();
            traffic.checkSequences(); // nobody has moved or chatted yet: every number from the first is due
        }
        long periodMicros = periodMicros(move);
        ScheduledExecutorService driver = driver(move);
        long start = System.nanoTime();
        long sentBefore = 0;
        long receivedBefore = 0;
        double seconds = 0;
        try {
            if (joined) {
                // each session at a phase of its own: the sessions' traffic spreads evenly over the period
                int slices = (int) Math.max(1, Math.min(sessions.size(), periodMicros / 1_000));
                int[] slice = {0};
                driver.scheduleAtFixedRate(() -> {
                    int current = slice[0];
                    slice[0] = (current + 1) % slices;
                    for (int i = current; i < sessions.size(); i += slices) {
                        if (move) {
                            sessions.get(i).move();
                        } else if (properties.isSender(sessions.get(i).index())) {
                            sessions.get(i).chat();
                        }
                    }
                }, 0, periodMicros / slices, TimeUnit.MICROSECONDS);
                if (fleet != null) {
                    fleet.startChaos();
                }
                DummyClient.sleep(properties.getWarmup());
                traffic.measuring(true);
                sentBefore = traffic.sent.sum();
                receivedBefore = traffic.received.sum();
                start = System.nanoTime();
                DummyClient.sleep(properties.getDuration());
                seconds = (System.nanoTime() - start) / 1e9;
            }
        } finally {
            driver.shutdownNow();
            driver.awaitTermination(5, TimeUnit.SECONDS);
            if (fleet != null) {
                fleet.stopChaos();
            }
        }
        if (fleet != null && !fleet.awaitSettled(properties.getTimeout())) {
            log.error("Resumes still under way after " + properties.getTimeout());
        }
        long sent = traffic.sent.sum() - sentBefore;
        long received = traffic.received.sum() - receivedBefore;
        boolean delivered;
        String outcome;
        long lost;
        if (move) {
            delivered = DummyClient.await(() -> sessions.stream().allMatch(RoomPlayer::sawItsLastMove),
                    properties.getTimeout())
                    && DummyClient.await(() -> traffic.lastMovesMissed() == 0, properties.getTimeout(), 50);
            long unseen = sessions.stream().filter(s -> !s.sawItsLastMove()).count();
            lost = traffic.lastMovesMissed();
            outcome = String.format(Locale.ROOT, "moves_sent=%d moves_per_s=%.1f entries_received=%d entries_per_s=%.1f %s "
                    + "sessions_with_unseen_moves=%d", sent, sent / Math.max(seconds, 1e-9), received,
                    received / Math.max(seconds, 1e-9), traffic.latencyFigures("move_to_seen"), unseen)
                    + " " + traffic.nodeFigures();
        } else {
            // resumable players may be lost, and what they had sent with them: the sequence numbers say what is due
            delivered = fleet == null
                    ? DummyClient.await(() -> traffic.received.sum() >= traffic.expectedChatDeliveries(),
                            properties.getTimeout())
                    : DummyClient.await(() -> traffic.chatsMissed() == 0, properties.getTimeout(), 50);
            lost = traffic.chatsMissed();
            traffic.chatsMissedDetails(20).forEach(log::warn);
            long expected = traffic.expectedChatDeliveries();
            long total = traffic.received.sum();
            outcome = String.format(Locale.ROOT, "chats_sent=%d deliveries=%d deliveries_per_s=%.1f expected_total=%d "
                    + "received_total=%d losses=%d %s", sent, received, received / Math.max(seconds, 1e-9), expected,
                    total, Math.max(0, expected - total), traffic.latencyFigures("delivery")) + " " + traffic.nodeFigures();
            // a lost player takes its deliveries with it; otherwise every one is due, resumed or not
            delivered = delivered && (total == expected || (fleet != null && fleet.failedCount() > 0));
        }
        boolean ok = joined && delivered && lost == 0 && traffic.isClean() && (fleet == null || fleet.failedCount() == 0);
        String resumes = fleet == null ? "" : " " + fleet.describe();
        log.info(String.format(Locale.ROOT, "Dummy client summary: mode=%s sessions=%d rooms=%d joined=%d %s "
                        + "lost=%d duplicated=%d out_of_order=%d%s out_of_place=%d errors=%d disconnects=%d %s result=%s",
                move ? "move" : "chat", properties.getSessions(), properties.getRooms(), traffic.joinedCount(), outcome,
                lost, traffic.duplicated.sum(), traffic.outOfOrder.sum(), resumes, traffic.outOfPlace.sum(),
                traffic.errors.sum(), traffic.unexpectedDisconnects.sum(), wireFigures.get(), ok ? "OK" : "FAILED"));
        return ok;
    }
}
