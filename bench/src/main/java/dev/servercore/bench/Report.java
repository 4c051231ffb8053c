package dev.servercore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a results directory of bench/run.sh ({@code run<N>/<servercore|reference>/<scenario>.txt}) and
 * prints one table: each figure of each run for both servers, the ratio ServerCore / reference within
 * each run, and the median of those ratios against the target.
 */
public final class Report {

    /** A figure: where it comes from, what it is called, and the ratio it must meet (NaN: none). */
    record Row(String scenario, String key, String label, String comparison, double target) {
        boolean met(double ratio) {
            return switch (comparison) {
                case ">=" -> ratio >= target;
                case "<=" -> ratio <= target;
                default -> true;
            };
        }
    }

    /**
     * Server CPU per operation leads each scenario: of all figures, noise moves it least. The generator's
     * CPU per operation follows it: a generator heavier than the server squeezes every ratio toward 1.
     */
    private static final List<Row> ROWS = List.of(
            new Row("echo100", "cpu_us_per_op", "echo 100x8: server CPU per echo (us)", "<=", 1.0),
            new Row("echo100", "gen_cpu_us_per_op", "echo 100x8: generator CPU per echo (us)", "", Double.NaN),
            new Row("echo100", "echoes_per_s", "echo 100x8: echoes/s", ">=", 1.0),
            new Row("echo100", "rtt_p50_us", "echo 100x8: round trip p50 (us)", "", Double.NaN),
            new Row("echo100", "rtt_p99_us", "echo 100x8: round trip p99 (us)", "<=", 1.0),
            new Row("echo1000", "cpu_us_per_op", "echo 1000x1: server CPU per echo (us)", "<=", 1.0),
            new Row("echo1000", "gen_cpu_us_per_op", "echo 1000x1: generator CPU per echo (us)", "", Double.NaN),
            new Row("echo1000", "echoes_per_s", "echo 1000x1: echoes/s", ">=", 1.0),
            new Row("echo1000", "rtt_p99_us", "echo 1000x1: round trip p99 (us)", "<=", 1.0),
            new Row("chat", "cpu_us_per_op", "chat: server CPU per delivery (us)", "", Double.NaN),
            new Row("chat", "gen_cpu_us_per_op", "chat: generator CPU per delivery (us)", "", Double.NaN),
            new Row("chat", "deliveries_per_s", "chat 200 sessions, 20x50/s: deliveries/s", ">=", 1.0),
            new Row("chat", "losses", "chat: losses", "=0", 0),
            new Row("chat", "delivery_p99_us", "chat: delivery p99 (us)", "<=", 1.0),
            new Row("idle", "per_session_kib", "idle 10,000: RSS per session (KiB)", "<=", 1.5),
            new Row("idle", "per_session_after_gc_kib", "idle 10,000: same, after a full GC (KiB)", "", Double.NaN),
            new Row("idle", "before_kib", "idle: RSS of the fresh server (KiB)", "", Double.NaN),
            new Row("idle", "answered", "idle 10,000: answering at the end", "", Double.NaN),
            new Row("max", "welcomed", "most sessions: welcomed (of 19,000)", "", Double.NaN),
            new Row("max", "answered", "most sessions: answering at the end", "", Double.NaN));

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        List<Path> runs;
        try (Stream<Path> list = Files.list(dir)) {
            runs = list.filter(p -> p.getFileName().toString().matches("run\\d+")).sorted().toList();
        }
        System.out.printf(Locale.ROOT, "ServerCore / reference Netty server, %d run(s), %s%n", runs.size(), dir);
        System.out.printf(Locale.ROOT, "%-44s %-34s %-34s %-24s %s%n", "figure", "ServerCore (each run)",
                "reference (each run)", "ratio (each run) median", "target");
        for (Row row : ROWS) {
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (Path run : runs) {
                Double a = figure(run.resolve("servercore").resolve(row.scenario() + ".txt"), row.key());
                Double b = figure(run.resolve("reference").resolve(row.scenario() + ".txt"), row.key());
                if (a == null || b == null) {
                    continue;
                }
                ours.add(a);
                theirs.add(b);
                ratios.add(b == 0 ? (a == 0 ? 1.0 : Double.POSITIVE_INFINITY) : a / b);
            }
            if (ours.isEmpty()) {
                continue;
            }
            // judged at the precision printed: with a fixed offered load (chat) one message more or less in the
            // window moves a ratio by 0.0001
            double median = Math.round(median(ratios) * 100) / 100.0;
            String target;
            if (row.comparison().equals("=0")) {
                boolean zero = ours.stream().allMatch(v -> v == 0);
                target = "0 " + (zero ? "met" : "MISSED");
            } else if (row.comparison().isEmpty()) {
                target = "";
            } else {
                target = row.comparison() + " " + row.target() + "x " + (row.met(median) ? "met" : "MISSED");
            }
            System.out.printf(Locale.ROOT, "%-44s %-34s %-34s %-24s %s%n", row.label(), values(ours), values(theirs),
                    values(ratios, "%.2f") + " " + String.format(Locale.ROOT, "%.2fx", median), target);
        }
        floor(runs);
        generatorWeight(runs);
    }

    /**
     * The echo figures beside the C floor (bench/cgen/echo_floor.c, the least a correct server does on this
     * kernel): how far each Java server is from the physical limit, per run and as the median of the ratios.
     */
    private static void floor(List<Path> runs) throws IOException {
        List<Row> echo = ROWS.stream().filter(row -> row.scenario().startsWith("echo")
                && !row.key().startsWith("gen_")).toList();
        boolean any = false;
        for (Row row : echo) {
            for (String target : List.of("servercore", "reference")) {
                List<Double> ratios = new ArrayList<>();
                List<Double> floors = new ArrayList<>();
                for (Path run : runs) {
                    Double a = figure(run.resolve(target).resolve(row.scenario() + ".txt"), row.key());
                    Double f = figure(run.resolve("floor").resolve(row.scenario() + ".txt"), row.key());
                    if (a != null && f != null && f > 0) {
                        ratios.add(a / f);
                        floors.add(f);
                    }
                }
                if (ratios.isEmpty()) {
                    continue;
                }
                if (!any) {
                    System.out.println();
                    System.out.printf(Locale.ROOT, "%-44s %-10s %-34s %s%n", "beside the C floor", "server",
                            "floor (each run)", "server / floor (each run) median");
                    any = true;
                }
                System.out.printf(Locale.ROOT, "%-44s %-10s %-34s %s %.2fx%n", row.label(), target, values(floors),
                        values(ratios, "%.2f"), median(ratios));
            }
        }
    }

    /**
     * The generator's CPU over the server's, per scenario and server (medians over the runs): below 1 the
     * generator was the lighter of the two, as it must be for the ratios above to mean anything.
     */
    private static void generatorWeight(List<Path> runs) throws IOException {
        System.out.println();
        System.out.println("generator CPU / server CPU over the window (must be < 1)");
        for (String scenario : List.of("echo100", "echo1000", "chat")) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-10s", scenario));
            for (String target : List.of("servercore", "reference")) {
                List<Double> weights = new ArrayList<>();
                for (Path run : runs) {
                    Double gen = figure(run.resolve(target).resolve(scenario + ".txt"), "gen_cpu_s");
                    Double server = figure(run.resolve(target).resolve(scenario + ".txt"), "server_cpu_s");
                    if (gen != null && server != null && server > 0) {
                        weights.add(gen / server);
                    }
                }
                if (!weights.isEmpty()) {
                    line.append(String.format(Locale.ROOT, "  %s %s (median %.2f)", target, values(weights, "%.2f"),
                            median(weights)));
                }
            }
            System.out.println(line);
        }
    }

    private static Double figure(Path file, String key) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("RESULT ") || line.startsWith("RSS ") || line.startsWith("CPU ")) {
                for (String pair : line.split(" ")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        values.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
            }
        }
        if (key.endsWith("cpu_us_per_op")) {
            // CPU over the measured window (read by the generator at its start and end) per operation in it
            String ops = values.containsKey("echoes") ? values.get("echoes") : values.get("deliveries");
            String cpu = values.get(key.startsWith("gen_") ? "gen_cpu_s" : "server_cpu_s");
            if (ops == null || cpu == null || Double.parseDouble(cpu) < 0) {
                return null;
            }
            return Double.parseDouble(cpu) * 1e6 / Double.parseDouble(ops);
        }
        String value = values.get(key);
        return value == null ? null : Double.parseDouble(value);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String values(List<Double> values) {
        return values(values, null);
    }

    private static String values(List<Double> values, String format) {
        String[] shown = new String[values.size()];
        for (int i = 0; i < shown.length; i++) {
            double v = values.get(i);
            shown[i] = format != null ? String.format(Locale.ROOT, format, v)
                    : v >= 10_000 ? String.format(Locale.ROOT, "%.0fk", v / 1000)
                    : v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
        }
        return String.join(" ", Arrays.asList(shown));
    }
}
