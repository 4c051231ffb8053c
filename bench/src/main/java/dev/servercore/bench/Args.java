package dev.servercore.bench;

import java.util.HashMap;
import java.util.Map;

/** Minimal "--key value" argument parser with duration and integer helpers. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final String command;

    Args(String[] argv, int from) {
        String cmd = null;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    values.put(key.substring(0, eq), key.substring(eq + 1));
                } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                    values.put(key, argv[++i]);
                } else {
                    values.put(key, "true");
                }
            } else if (cmd == null) {
                cmd = a;
            } else {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
        }
        this.command = cmd;
    }

    String command() {
        return command;
    }

    String str(String key, String def) {
        return values.getOrDefault(key, def);
    }

    int integer(String key, int def) {
        String v = values.get(key);
        return v == null ? def : Integer.parseInt(v.trim());
    }

    /** A comma-separated list of ports ({@code --ports 7001,7002}), else the single {@code --port}; empty if neither. */
    int[] ports() {
        String spec = values.getOrDefault("ports", values.get("port"));
        if (spec == null) {
            return new int[0];
        }
        return java.util.Arrays.stream(spec.split(",")).mapToInt(p -> Integer.parseInt(p.trim())).toArray();
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** Duration in nanoseconds; accepts "500ms", "5s", "2m" or a bare number of seconds. */
    long nanos(String key, String def) {
        return parseDuration(values.getOrDefault(key, def));
    }

    static long parseDuration(String s) {
        s = s.trim().toLowerCase();
        double factor;
        String num;
        if (s.endsWith("ms")) {
            factor = 1e6;
            num = s.substring(0, s.length() - 2);
        } else if (s.endsWith("us")) {
            factor = 1e3;
            num = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            factor = 1e9;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            factor = 60e9;
            num = s.substring(0, s.length() - 1);
        } else {
            factor = 1e9;
            num = s;
        }
        double v = Double.parseDouble(num);
        if (v < 0) {
            throw new IllegalArgumentException("negative duration: " + s);
        }
        return (long) (v * factor);
    }
}
