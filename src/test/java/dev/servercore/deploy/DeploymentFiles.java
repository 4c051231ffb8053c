package dev.servercore.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the repository's deployment files: compose, application.yml, Dockerfile, monitoring. */
final class DeploymentFiles {

    static final Path ROOT = Path.of("").toAbsolutePath();

    private DeploymentFiles() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() throws IOException {
        return (Map<String, Object>) yaml(ROOT.resolve("docker-compose.yml")).get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(String name) throws IOException {
        return (Map<String, Object>) ((Map<String, Object>) compose().get("services")).get(name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> environment(String service) throws IOException {
        Map<String, Object> env = (Map<String, Object>) service(service).get("environment");
        Map<String, String> result = new java.util.LinkedHashMap<>();
        env.forEach((k, v) -> result.put(k, String.valueOf(v)));
        return result;
    }

    /** Every YAML document of a file (application.yml has one per profile). */
    static List<Map<String, Object>> yaml(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object document : new Yaml(options).loadAll(reader)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) document;
                documents.add(map);
            }
        }
        return documents;
    }

    /** A dotted path (keys may themselves contain dots, as YAML allows) in one document, or null. */
    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> document, String path) {
        Object node = document;
        String rest = path;
        outer:
        while (!rest.isEmpty()) {
            if (!(node instanceof Map)) {
                return null;
            }
            Map<String, Object> map = (Map<String, Object>) node;
            for (int end = rest.length(); end > 0; end = rest.lastIndexOf('.', end - 1)) {
                String key = rest.substring(0, end);
                if (map.containsKey(key)) {
                    node = map.get(key);
                    rest = end == rest.length() ? "" : rest.substring(end + 1);
                    continue outer;
                }
                if (end <= 0) {
                    break;
                }
            }
            return null;
        }
        return node;
    }

    static List<Map<String, Object>> applicationYml() throws IOException {
        return yaml(ROOT.resolve("application.yml"));
    }

    /** The value the default profile's document gives a property. */
    static String applicationDefault(String path) throws IOException {
        Object value = at(applicationYml().get(0), path);
        return value == null ? null : String.valueOf(value);
    }

    /** The document that {@code spring.config.activate.on-profile} gives to a profile. */
    static Map<String, Object> profileDocument(String profile) throws IOException {
        for (Map<String, Object> document : applicationYml()) {
            if (profile.equals(at(document, "spring.config.activate.on-profile"))) {
                return document;
            }
        }
        return null;
    }

    /**
     * Every configuration property known to this application: its own (the configuration processor's
     * metadata) and Spring Boot's, as environment variable names (Spring Boot's relaxed binding: upper
     * case, dots to underscores, dashes dropped).
     */
    static Set<String> propertiesAsEnvironmentVariables() throws IOException {
        Set<String> names = new HashSet<>();
        JsonMapper json = JsonMapper.builder().build();
        for (URL metadata : Collections.list(DeploymentFiles.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = metadata.openStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    names.add(asEnvironmentVariable(property.path("name").asString()));
                }
            }
        }
        return names;
    }

    static String asEnvironmentVariable(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    static JsonNode dashboard() throws IOException {
        return JsonMapper.builder().build().readTree(ROOT.resolve("monitoring/grafana/dashboards/servercore.json").toFile());
    }

    private static final Pattern BRACES = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern STRING = Pattern.compile("\"[^\"]*\"");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    /** The metric names a dashboard's PromQL expressions read. */
    static Set<String> dashboardMetricNames() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metricNames(target.path("expr").asString()));
            }
        }
        return names;
    }

    static Set<String> metricNames(String promql) {
        String stripped = STRING.matcher(promql).replaceAll(" ");
        stripped = BRACES.matcher(stripped).replaceAll(" ");
        stripped = GROUPING.matcher(stripped).replaceAll(" ");
        stripped = RANGE.matcher(stripped).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(stripped);
        while (m.find()) {
            boolean function = m.group(1) != null;
            String word = m.group().replaceAll("\\s*\\($", "");
            if (!function && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }
}
