package dev.servercore.core;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** The engine's part of the {@code servercore.*} tree. Reference: HELP.md. */
@ConfigurationProperties("servercore")
@Validated
public class ServerCoreProperties {

    /** Framed speaks PROTOCOL.md; raw hands the session the bytes as they arrive. */
    public enum Mode {
        FRAMED, RAW
    }

    @Valid
    private final ListenerProperties listener = new ListenerProperties();
    @Valid
    private final ConnectorProperties connector = new ConnectorProperties();
    @Valid
    private final SessionProperties session = new SessionProperties();
    @Valid
    private final RoomsProperties rooms = new RoomsProperties();

    public RoomsProperties getRooms() {
        return rooms;
    }

    /** Rooms of game code (dev.servercore.game): their tick and their worker threads. */
    public static class RoomsProperties {
        /** Ticks per second of every room: what rooms broadcast during a tick goes out together. */
        @Min(1)
        @Max(1000)
        private int tickRate = 20;
        /** Threads that run room jobs (never an event loop); 0 means one per core. */
        @Min(0)
        @Max(1024)
        private int workerThreads = 0;
        /**
         * Whether broadcasts wait for the tick (one write per member per tick). Off, each broadcast goes out
         * at once: for measuring what batching saves.
         */
        private boolean batching = true;

        public boolean isBatching() {
            return batching;
        }

        public void setBatching(boolean batching) {
            this.batching = batching;
        }

        public int getTickRate() {
            return tickRate;
        }

        public void setTickRate(int tickRate) {
            this.tickRate = tickRate;
        }

        public int getWorkerThreads() {
            return workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
        }

        public void setWorkerThreads(int workerThreads) {
            this.workerThreads = workerThreads;
        }
    }

    public ListenerProperties getListener() {
        return listener;
    }

    public ConnectorProperties getConnector() {
        return connector;
    }

    public SessionProperties getSession() {
        return session;
    }

    public static class ListenerProperties {
        /** Whether the auto-configured listener (the game port) runs; the dummy client turns it off. */
        private boolean enabled = true;
        /** Address the game port binds to. */
        @NotBlank
        private String bindAddress = "0.0.0.0";
        /** Game port; 0 picks a free one. */
        @Min(0)
        @Max(65535)
        private int port = 7777;
        @NotNull
        private Mode mode = Mode.FRAMED;
        /** Accept queue length (the OS may cap it: net.core.somaxconn). */
        @Min(1)
        private int backlog = 1024;
        private boolean tcpNoDelay = true;
        /** Most sessions open at once; a connection beyond it is closed at once and counted as refused. */
        @Min(1)
        private int maxSessions = 20_000;
        /** A session that receives nothing for this long is closed; 0 disables the timeout. */
        @NotNull
        private Duration idleTimeout = Duration.ofSeconds(60);
        /** Event loops (selector threads) accepting and serving sessions; 0 means one per core. */
        @Min(0)
        @Max(256)
        private int eventLoops = 0;
        @Valid
        private final Tls tls = new Tls();

        public int getEventLoops() {
            return eventLoops;
        }

        public void setEventLoops(int eventLoops) {
            this.eventLoops = eventLoops;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @AssertTrue(message = "idle-timeout must not be negative (0 means off)")
        public boolean isIdleTimeoutValid() {
            return idleTimeout == null || !idleTimeout.isNegative();
        }

        public String getBindAddress() {
            return bindAddress;
        }

        public void setBindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public Mode getMode() {
            return mode;
        }

        public void setMode(Mode mode) {
            this.mode = mode;
        }

        public int getBacklog() {
            return backlog;
        }

        public void setBacklog(int backlog) {
            this.backlog = backlog;
        }

        public boolean isTcpNoDelay() {
            return tcpNoDelay;
        }

        public void setTcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
        }

        public int getMaxSessions() {
            return maxSessions;
        }

        public void setMaxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Tls getTls() {
            return tls;
        }
    }

    public static class ConnectorProperties {
        /** Server the connector's sessions connect to. */
        @NotBlank
        private String host = "127.0.0.1";
        @Min(1)
        @Max(65535)
        private int port = 7777;
        @NotNull
        private Mode mode = Mode.FRAMED;
        private boolean tcpNoDelay = true;
        /** How long a connect may take; must be above 0. */
        @NotNull
        private Duration connectTimeout = Duration.ofSeconds(5);
        /** Event loops (selector threads) serving the connector's sessions; 0 means one per core. */
        @Min(0)
        @Max(256)
        private int eventLoops = 0;
        @Valid
        private final Reconnect reconnect = new Reconnect();

        public int getEventLoops() {
            return eventLoops;
        }

        public void setEventLoops(int eventLoops) {
            this.eventLoops = eventLoops;
        }

        @AssertTrue(message = "connect-timeout must be above 0")
        public boolean isConnectTimeoutPositive() {
            return connectTimeout == null || (!connectTimeout.isNegative() && !connectTimeout.isZero());
        }
        @Valid
        private final Tls tls = new Tls();

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public Mode getMode() {
            return mode;
        }

        public void setMode(Mode mode) {
            this.mode = mode;
        }

        public boolean isTcpNoDelay() {
            return tcpNoDelay;
        }

        public void setTcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Reconnect getReconnect() {
            return reconnect;
        }

        public Tls getTls() {
            return tls;
        }
    }

    /**
     * How a kept session ({@link Connector#keepConnected}) comes back after it was lost: attempt n waits
     * min(max-delay, initial-delay * multiplier^(n-1)), less a random part of up to {@code jitter} of it,
     * so that a crowd of clients does not reconnect in step.
     */
    public static class Reconnect {
        @NotNull
        private Duration initialDelay = Duration.ofMillis(200);
        @NotNull
        private Duration maxDelay = Duration.ofSeconds(10);
        @DecimalMin("1.0")
        private double multiplier = 2.0;
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        private double jitter = 0.5;
        @AssertTrue(message = "reconnect delays must not be negative")
        public boolean isDelaysValid() {
            return (initialDelay == null || !initialDelay.isNegative()) && (maxDelay == null || !maxDelay.isNegative());
        }

        /** Attempts in a row before a session is given up; 0 never gives up. */
        @Min(0)
        private int maxAttempts = 0;

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }
    }

    /** TLS through Spring Integration's SSL socket factories. Stores are Spring resources: file:, classpath:. */
    public static class Tls {
        private boolean enabled = false;
        /** Key store (the listener's certificate and key); a connector needs one only for client certificates. */
        private String keyStore;
        private String keyStorePassword = "";
        @NotBlank
        private String keyStoreType = "PKCS12";
        /** Trust store (certificates the peer may present); defaults to the key store. */
        private String trustStore;
        private String trustStorePassword = "";
        @NotBlank
        private String trustStoreType = "PKCS12";
        @NotBlank
        private String protocol = "TLSv1.3";
        /** Connector: check that the server's certificate names the host connected to. */
        private boolean verifyHost = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getKeyStore() {
            return keyStore;
        }

        public void setKeyStore(String keyStore) {
            this.keyStore = keyStore;
        }

        public String getKeyStorePassword() {
            return keyStorePassword;
        }

        public void setKeyStorePassword(String keyStorePassword) {
            this.keyStorePassword = keyStorePassword;
        }

        public String getKeyStoreType() {
            return keyStoreType;
        }

        public void setKeyStoreType(String keyStoreType) {
            this.keyStoreType = keyStoreType;
        }

        public String getTrustStore() {
            return trustStore;
        }

        public void setTrustStore(String trustStore) {
            this.trustStore = trustStore;
        }

        public String getTrustStorePassword() {
            return trustStorePassword;
        }

        public void setTrustStorePassword(String trustStorePassword) {
            this.trustStorePassword = trustStorePassword;
        }

        public String getTrustStoreType() {
            return trustStoreType;
        }

        public void setTrustStoreType(String trustStoreType) {
            this.trustStoreType = trustStoreType;
        }

        public String getProtocol() {
            return protocol;
        }

        public void setProtocol(String protocol) {
            this.protocol = protocol;
        }

        public boolean isVerifyHost() {
            return verifyHost;
        }

        public void setVerifyHost(boolean verifyHost) {
            this.verifyHost = verifyHost;
        }
    }

    public static class SessionProperties {
        /** Largest frame accepted, header included (PROTOCOL.md: at most 65535). */
        @Min(Frames.HEADER_SIZE)
        @Max(Frames.MAX_FRAME_SIZE)
        private int maxFrameSize = 4096;
        /** Bytes a session may have queued and unwritten; beyond it the session is closed as a slow consumer. */
        @NotNull
        private DataSize sendQueueLimit = DataSize.ofMegabytes(1);
        /**
         * Most bytes one read takes from a socket, into a buffer of each event loop (not of each connection:
         * an idle session holds no read buffer).
         */
        @NotNull
        private DataSize readBufferSize = DataSize.ofKilobytes(64);
        /**
         * Bytes queued for a peer that does not read for this long (a write waiting on a full socket, or a
         * disconnect() still flushing) end the session: as a slow consumer, or closed as asked. 0 disables it.
         */
        @NotNull
        private Duration writeTimeout = Duration.ofSeconds(10);
        /** Most bytes gathered from the send queue into one socket write (a buffer of each event loop). */
        @NotNull
        private DataSize writeBatchSize = DataSize.ofKilobytes(64);
        /** On shutdown, how long queued sends may take to flush before sessions are closed; 0 closes at once. */
        @NotNull
        private Duration shutdownDrainTimeout = Duration.ofSeconds(5);
        /**
         * A frame whose first byte has arrived must be complete within this time, or the session ends with
         * protocol_error (a slowloris that trickles a header forever). 0 disables it.
         */
        @NotNull
        private Duration frameTimeout = Duration.ofSeconds(10);
        /**
         * A callback (or other work on an event loop) running longer than this is logged with its session and
         * stack, and counted in servercore.callbacks.blocked. 0 disables the check.
         */
        @NotNull
        private Duration blockedCallbackWarning = Duration.ofMillis(100);

        public Duration getFrameTimeout() {
            return frameTimeout;
        }

        public void setFrameTimeout(Duration frameTimeout) {
            this.frameTimeout = frameTimeout;
        }

        public Duration getBlockedCallbackWarning() {
            return blockedCallbackWarning;
        }

        public void setBlockedCallbackWarning(Duration blockedCallbackWarning) {
            this.blockedCallbackWarning = blockedCallbackWarning;
        }

        public int getMaxFrameSize() {
            return maxFrameSize;
        }

        public void setMaxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
        }

        public DataSize getSendQueueLimit() {
            return sendQueueLimit;
        }

        public void setSendQueueLimit(DataSize sendQueueLimit) {
            this.sendQueueLimit = sendQueueLimit;
        }

        public DataSize getReadBufferSize() {
            return readBufferSize;
        }

        public void setReadBufferSize(DataSize readBufferSize) {
            this.readBufferSize = readBufferSize;
        }

        public Duration getWriteTimeout() {
            return writeTimeout;
        }

        public void setWriteTimeout(Duration writeTimeout) {
            this.writeTimeout = writeTimeout;
        }

        public DataSize getWriteBatchSize() {
            return writeBatchSize;
        }

        public void setWriteBatchSize(DataSize writeBatchSize) {
            this.writeBatchSize = writeBatchSize;
        }

        public Duration getShutdownDrainTimeout() {
            return shutdownDrainTimeout;
        }

        public void setShutdownDrainTimeout(Duration shutdownDrainTimeout) {
            this.shutdownDrainTimeout = shutdownDrainTimeout;
        }

        /** The settings of one endpoint; durations below 0 or sizes out of range are refused here too. */
        public SessionSettings toSettings(Duration idleTimeout, int maxSessions) {
            long readBuffer = readBufferSize.toBytes();
            long writeBatch = writeBatchSize.toBytes();
            if (readBuffer < 16 || readBuffer > 1 << 24) {
                throw new IllegalArgumentException("servercore.session.read-buffer-size must be within 16B..16MB, not "
                        + readBufferSize);
            }
            if (writeBatch < 16 || writeBatch > 1 << 24) {
                throw new IllegalArgumentException("servercore.session.write-batch-size must be within 16B..16MB, not "
                        + writeBatchSize);
            }
            if (sendQueueLimit.toBytes() < 1) {
                throw new IllegalArgumentException("servercore.session.send-queue-limit must be above 0");
            }
            return new SessionSettings(maxFrameSize, sendQueueLimit.toBytes(), (int) writeBatch, (int) readBuffer,
                    nonNegative("write-timeout", writeTimeout), nonNegative("idle-timeout", idleTimeout),
                    nonNegative("frame-timeout", frameTimeout),
                    nonNegative("blocked-callback-warning", blockedCallbackWarning), maxSessions);
        }

        @AssertTrue(message = "durations must not be negative (0 means off)")
        public boolean isDurationsValid() {
            for (Duration d : new Duration[] {writeTimeout, shutdownDrainTimeout, frameTimeout, blockedCallbackWarning}) {
                if (d != null && d.isNegative()) {
                    return false;
                }
            }
            return true;
        }

        private static long nonNegative(String name, Duration duration) {
            if (duration.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative (0 means off), not " + duration);
            }
            return duration.toNanos();
        }
    }
}
