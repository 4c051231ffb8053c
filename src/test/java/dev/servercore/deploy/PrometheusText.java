package dev.servercore.deploy;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line a HELP, a TYPE, or a
 * sample of a declared family, with well-formed labels and a number. Throws on the first bad line.
 */
final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE_NAME = Pattern.compile(NAME);
    private static final Pattern VALUE_AND_TIME = Pattern.compile(" (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\"");

    private PrometheusText() {
    }

    /** The names of all samples (series names, e.g. {@code x_bucket}), after checking every line. */
    static Set<String> sampleNames(String text) {
        Map<String, String> types = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                if (types.put(type.group(1), type.group(2)) != null) {
                    throw new IllegalArgumentException("line " + lineNumber + ": a second TYPE for " + type.group(1));
                }
                continue;
            }
            if (HELP.matcher(line).matches() || line.startsWith("# EOF")) {
                continue;
            }
            Matcher nameMatch = SAMPLE_NAME.matcher(line);
            if (!nameMatch.lookingAt()) {
                throw new IllegalArgumentException("line " + lineNumber + " is not Prometheus text: " + line);
            }
            String name = nameMatch.group();
            int at = nameMatch.end();
            if (at < line.length() && line.charAt(at) == '{') {
                int close = closingBrace(line, at);
                if (close < 0) {
                    throw new IllegalArgumentException("line " + lineNumber + ": unclosed labels: " + line);
                }
                for (String label : splitLabels(line.substring(at + 1, close))) {
                    if (!LABEL.matcher(label).matches()) {
                        throw new IllegalArgumentException("line " + lineNumber + ": bad label " + label);
                    }
                }
                at = close + 1;
            }
            Matcher rest = VALUE_AND_TIME.matcher(line.substring(at));
            if (!rest.matches()) {
                throw new IllegalArgumentException("line " + lineNumber + " is not Prometheus text: " + line);
            }
            parseValue(rest.group(1), lineNumber);
            if (family(name, types) == null) {
                throw new IllegalArgumentException("line " + lineNumber + ": " + name + " has no TYPE");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        return names;
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : new String[] {"_bucket", "_count", "_sum", "_total", "_created"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    private static void parseValue(String value, int lineNumber) {
        if (value.equals("NaN") || value.equals("+Inf") || value.equals("-Inf")) {
            return;
        }
        try {
            Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + lineNumber + ": not a number: " + value);
        }
    }

    /** The index of the brace that closes the one at {@code open}, outside quoted values; -1 if none. */
    private static int closingBrace(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** Splits {@code a="x",b="y,z"} at the commas between labels, not those inside values. */
    private static java.util.List<String> splitLabels(String labels) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < labels.length(); i++) {
            char c = labels.charAt(i);
            if (c == '\\' && quoted && i + 1 < labels.length()) {
                current.append(c).append(labels.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            parts.add(current.toString());
        }
        return parts;
    }
}
