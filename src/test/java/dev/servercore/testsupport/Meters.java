package dev.servercore.testsupport;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

/** Reads the engine's meters of a test's context. */
public final class Meters {

    private Meters() {
    }

    /** {@code servercore.sessions.closed} of one endpoint and reason. */
    public static double closed(MeterRegistry meters, String endpoint, String reason) {
        return Search.in(meters).name("servercore.sessions.closed").tag("endpoint", endpoint).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** The sum of the counters named {@code name} with the given tags (key, value, key, value...). */
    public static double counter(MeterRegistry meters, String name, String... tags) {
        Search search = Search.in(meters).name(name);
        for (int i = 0; i + 1 < tags.length; i += 2) {
            search = search.tag(tags[i], tags[i + 1]);
        }
        return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** The value of the gauge named {@code name} with the given tags (key, value, ...). */
    public static double gauge(MeterRegistry meters, String name, String... tags) {
        Search search = Search.in(meters).name(name);
        for (int i = 0; i + 1 < tags.length; i += 2) {
            search = search.tag(tags[i], tags[i + 1]);
        }
        return search.gauge().value();
    }
}
