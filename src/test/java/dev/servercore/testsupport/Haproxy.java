package dev.servercore.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real {@code haproxy} (Debian's package; {@code .ci/run} installs it) in TCP mode on a free loopback port, in
 * front of one server, with the server line's options of the test's choosing (e.g. {@code send-proxy-v2}).
 */
public final class Haproxy implements AutoCloseable {

    private final AppProcess process;
    private final Path config;
    private final int port;

    private Haproxy(AppProcess process, Path config, int port) {
        this.process = process;
        this.config = config;
        this.port = port;
    }

    public static Haproxy inFrontOf(int serverPort, String serverOptions) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path config = Files.createTempFile("servercore-haproxy", ".cfg");
        Files.writeString(config, String.join("\n",
                "global",
                "    log stdout format raw local0 info",
                "defaults",
                "    mode tcp",
                "    log global",
                "    option tcplog",
                "    timeout connect 5s",
                "    timeout client 60s",
                "    timeout server 60s",
                "frontend game",
                "    bind 127.0.0.1:" + port,
                "    default_backend servers",
                "backend servers",
                "    server server 127.0.0.1:" + serverPort + " " + serverOptions,
                ""));
        AppProcess process;
        try {
            process = AppProcess.run(List.of("haproxy", "-db", "-f", config.toString()), null, Map.of());
        } catch (IOException e) {
            throw new IllegalStateException("haproxy is needed by this test (Debian: apt-get install haproxy; .ci/run "
                    + "installs it)", e);
        }
        Haproxy haproxy = new Haproxy(process, config, port);
        Await.until("haproxy listening on " + port, Duration.ofSeconds(20), haproxy::listening);
        return haproxy;
    }

    public int port() {
        return port;
    }

    public String output() {
        return process.output();
    }

    /**
     * Its port is in LISTEN state (Linux' /proc/net/tcp): asked without connecting, since a probe connection would
     * reach the server behind it as a client.
     */
    private boolean listening() throws IOException {
        String local = String.format(":%04X", port);
        return Files.readAllLines(Path.of("/proc/net/tcp")).stream().map(line -> line.trim().split("\\s+"))
                .anyMatch(fields -> fields[1].endsWith(local) && fields[3].equals("0A"));
    }

    @Override
    public void close() throws Exception {
        process.close();
        Files.deleteIfExists(config);
    }
}
