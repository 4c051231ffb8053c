package dev.servercore.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a running application's actuator over HTTP, as {@code curl} would. */
public final class Actuator {

    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-0-9.Ee+]+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public Actuator(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** The actuator of the application under test: on its management port when it has one of its own. */
    public static Actuator of(org.springframework.core.env.Environment environment) {
        Integer management = environment.getProperty("local.management.port", Integer.class);
        return new Actuator(management != null ? management
                : environment.getRequiredProperty("local.server.port", Integer.class));
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The first measurement of {@code /actuator/metrics/<name>?tag=k:v...}; tags given as "k:v". */
    public double metric(String name, String... tags) throws IOException, InterruptedException {
        StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        HttpResponse<String> response = get(path.toString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        Matcher value = VALUE.matcher(response.body());
        if (!value.find()) {
            throw new IllegalStateException(path + " has no value: " + response.body());
        }
        return Double.parseDouble(value.group(1));
    }
}
