package dev.servercore.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The engine's part of the {@code servercore.*} tree, immutable: bound through constructors, each default
 * written once, in its {@code @DefaultValue}. Reference: HELP.md. Code that builds an endpoint by hand
 * (tests, tools) gets its settings from {@link #defaults()} or {@link #of(Map)}.
 */
@ConfigurationProperties("servercore")
@Validated
public final class ServerCoreProperties {

    /** Framed speaks PROTOCOL.md; raw hands the session the bytes as they arrive. */
    public enum Mode {
        FRAMED, RAW
    }

    /** The game port. */
    @Valid
    private final ListenerProperties listener;
    /** Outbound sessions (dummy client, server-to-server). */
    @Valid
    private final ConnectorProperties connector;
    /** Every session, both directions. */
    @Valid
    private final SessionProperties session;

    public ServerCoreProperties(@DefaultValue ListenerProperties listener, @DefaultValue ConnectorProperties connector,
            @DefaultValue SessionProperties session) {
        this.listener = listener;
        this.connector = connector;
        this.session = session;
    }

    /** Every setting at its default. */
    public static ServerCoreProperties defaults() {
        return of(Map.of());
    }

    /**
     * Settings as the application would bind them, from keys under {@code servercore.} (e.g.
     * {@code "listener.port" -> 0}); the rest at their defaults.
     */
    public static ServerCoreProperties of(Map<String, ?> settings) {
        return bind("servercore", settings, ServerCoreProperties.class);
    }

    /** Binds a settings class of the {@code servercore.*} tree from keys under {@code prefix.}, as Boot would. */
    public static <T> T bind(String prefix, Map<String, ?> settings, Class<T> type) {
        Map<String, Object> source = new LinkedHashMap<>();
        settings.forEach((key, value) -> source.put(prefix + "." + key, String.valueOf(value)));
        return new Binder(new MapConfigurationPropertySource(source)).bindOrCreate(prefix, Bindable.of(type));
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

    /** The game port. */
    public static final class ListenerProperties {

        /** Whether the auto-configured listener (the game port) runs; the dummy client turns it off. */
        private final boolean enabled;
        /** Address the game port binds to. */
        @NotBlank
        private final String bindAddress;
        /** Game port; 0 picks a free one. */
        @Min(0)
        @Max(65535)
        private final int port;
        /** framed: PROTOCOL.md frames; raw: bytes as they arrive. */
        @NotNull
        private final Mode mode;
        /** Accept queue length (the OS may cap it: net.core.somaxconn). */
        @Min(1)
        private final int backlog;
        /** TCP_NODELAY on accepted sockets. */
        private final boolean tcpNoDelay;
        /** Most sessions open at once; a connection beyond it is closed at once and counted as refused. */
        @Min(1)
        private final int maxSessions;
        /** A session that receives nothing for this long is closed; 0 disables the timeout. */
        @NotNull
        private final Duration idleTimeout;
        /** Event loops (selector threads) accepting and serving sessions; 0 means one per core. */
        @Min(0)
        @Max(256)
        private final int eventLoops;
        /** TLS on the game port. */
        @Valid
        private final Tls tls;
        /**
         * Every connection starts with a PROXY protocol v2 header (a balancer's, e.g. HAProxy's send-proxy-v2) that
         * gives the client's address; a connection without a valid one is refused.
         */
        private final boolean proxyProtocol;
        /** With proxy-protocol: the header must have arrived within this time of the connect. */
        @NotNull
        private final Duration proxyProtocolTimeout;
        /** Limits per client address: sessions at once and the connect rate. */
        @Valid
        private final PerAddress perAddress;

        public ListenerProperties(
                @DefaultValue("true") boolean enabled,
                @DefaultValue("0.0.0.0") String bindAddress,
                @DefaultValue("7777") int port,
                @DefaultValue("framed") Mode mode,
                @DefaultValue("1024") int backlog,
                @DefaultValue("true") boolean tcpNoDelay,
                @DefaultValue("20000") int maxSessions,
                @DefaultValue("60s") Duration idleTimeout,
                @DefaultValue("0") int eventLoops,
                @DefaultValue Tls tls,
                @DefaultValue("false") boolean proxyProtocol,
                @DefaultValue("3s") Duration proxyProtocolTimeout,
                @DefaultValue PerAddress perAddress) {
            this.enabled = enabled;
            this.bindAddress = bindAddress;
            this.port = port;
            this.mode = mode;
            this.backlog = backlog;
            this.tcpNoDelay = tcpNoDelay;
            this.maxSessions = maxSessions;
            this.idleTimeout = idleTimeout;
            this.eventLoops = eventLoops;
            this.tls = tls;
            this.proxyProtocol = proxyProtocol;
            this.proxyProtocolTimeout = proxyProtocolTimeout;
            this.perAddress = perAddress;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public String getBindAddress() {
            return bindAddress;
        }

        public int getPort() {
            return port;
        }

        public Mode getMode() {
            return mode;
        }

        public int getBacklog() {
            return backlog;
        }

        public boolean isTcpNoDelay() {
            return tcpNoDelay;
        }

        public int getMaxSessions() {
            return maxSessions;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public int getEventLoops() {
            return eventLoops;
        }

        public Tls getTls() {
            return tls;
        }

        public boolean isProxyProtocol() {
            return proxyProtocol;
        }

        public Duration getProxyProtocolTimeout() {
            return proxyProtocolTimeout;
        }

        public PerAddress getPerAddress() {
            return perAddress;
        }

        @AssertTrue(message = "idle-timeout must not be negative (0 means off)")
        public boolean isIdleTimeoutValid() {
            return idleTimeout == null || !idleTimeout.isNegative();
        }

        @AssertTrue(message = "proxy-protocol-timeout must be above 0")
        public boolean isProxyProtocolTimeoutValid() {
            return proxyProtocolTimeout == null || positive(proxyProtocolTimeout);
        }
    }

    /**
     * Limits per client address on the listener (the address a PROXY protocol header gives, else the socket's):
     * connections at once, and a token bucket of connects. IPv6 clients count by their /64.
     */
    public static final class PerAddress {

        /** Connections of one address at once (sessions, and connections still opening); 0 turns the cap off. */
        @Min(0)
        private final int maxSessions;
        /** New connections of one address per second, on average; 0 turns the rate off. */
        @DecimalMin("0.0")
        private final double connectRate;
        /** New connections of one address at once, above the rate (the bucket's size). */
        @Min(1)
        private final int connectBurst;
        /** Addresses to which neither limit applies (IP literals): by default the host's own loopback. */
        @NotNull
        private final List<String> exempt;

        public PerAddress(
                @DefaultValue("256") int maxSessions,
                @DefaultValue("32") double connectRate,
                @DefaultValue("256") int connectBurst,
                @DefaultValue({"127.0.0.1", "::1"}) List<String> exempt) {
            this.maxSessions = maxSessions;
            this.connectRate = connectRate;
            this.connectBurst = connectBurst;
            this.exempt = exempt == null ? List.of() : List.copyOf(exempt);
        }

        public int getMaxSessions() {
            return maxSessions;
        }

        public double getConnectRate() {
            return connectRate;
        }

        public int getConnectBurst() {
            return connectBurst;
        }

        public List<String> getExempt() {
            return exempt;
        }

        /** The exempt addresses, parsed; every entry must be an IP literal (no name is looked up). */
        public Set<InetAddress> exemptAddresses() {
            Set<InetAddress> addresses = new HashSet<>();
            for (String entry : exempt) {
                addresses.add(IpLiteral.parse(entry.trim()));
            }
            return addresses;
        }

        @AssertTrue(message = "per-address.exempt must list IP addresses (literals such as 127.0.0.1 or ::1, no names)")
        public boolean isExemptValid() {
            try {
                exemptAddresses();
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    /** Outbound sessions. */
    public static final class ConnectorProperties {

        /** Server the connector's sessions connect to. */
        @NotBlank
        private final String host;
        /** Its port. */
        @Min(1)
        @Max(65535)
        private final int port;
        /** framed or raw, as for the listener. */
        @NotNull
        private final Mode mode;
        /** TCP_NODELAY on the sockets. */
        private final boolean tcpNoDelay;
        /** How long a connect may take; must be above 0. */
        @NotNull
        private final Duration connectTimeout;
        /** Event loops (selector threads) serving the connector's sessions; 0 means one per core. */
        @Min(0)
        @Max(256)
        private final int eventLoops;
        /** How a kept session comes back after it was lost. */
        @Valid
        private final Reconnect reconnect;
        /** TLS to the server. */
        @Valid
        private final Tls tls;

        public ConnectorProperties(
                @DefaultValue("127.0.0.1") String host,
                @DefaultValue("7777") int port,
                @DefaultValue("framed") Mode mode,
                @DefaultValue("true") boolean tcpNoDelay,
                @DefaultValue("5s") Duration connectTimeout,
                @DefaultValue("0") int eventLoops,
                @DefaultValue Reconnect reconnect,
                @DefaultValue Tls tls) {
            this.host = host;
            this.port = port;
            this.mode = mode;
            this.tcpNoDelay = tcpNoDelay;
            this.connectTimeout = connectTimeout;
            this.eventLoops = eventLoops;
            this.reconnect = reconnect;
            this.tls = tls;
        }

        /** The same settings for another port of the same host. */
        public ConnectorProperties withPort(int otherPort) {
            return new ConnectorProperties(host, otherPort, mode, tcpNoDelay, connectTimeout, eventLoops, reconnect,
                    tls);
        }

        public String getHost() {
            return host;
        }

        public int getPort() {
            return port;
        }

        public Mode getMode() {
            return mode;
        }

        public boolean isTcpNoDelay() {
            return tcpNoDelay;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public int getEventLoops() {
            return eventLoops;
        }

        public Reconnect getReconnect() {
            return reconnect;
        }

        public Tls getTls() {
            return tls;
        }

        @AssertTrue(message = "connect-timeout must be above 0")
        public boolean isConnectTimeoutPositive() {
            return connectTimeout == null || (!connectTimeout.isNegative() && !connectTimeout.isZero());
        }
    }

    /** How a kept session ({@link Connector#keepConnected}) comes back after it was lost: attempt n waits
     * min(max-delay, initial-delay * multiplier^(n-1)), less a random part of up to {@code jitter} of it,
     * so that a crowd of clients does not reconnect in step. */
    public static final class Reconnect {

        /** First wait after a loss. */
        @NotNull
        private final Duration initialDelay;
        /** The wait never exceeds this. */
        @NotNull
        private final Duration maxDelay;
        /** Each failed attempt in a row multiplies the wait. */
        @DecimalMin("1.0")
        private final double multiplier;
        /** Up to this part of each wait is taken off at random. */
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        private final double jitter;
        /** Attempts in a row before a session is given up; 0 never gives up. */
        @Min(0)
        private final int maxAttempts;

        public Reconnect(
                @DefaultValue("200ms") Duration initialDelay,
                @DefaultValue("10s") Duration maxDelay,
                @DefaultValue("2.0") double multiplier,
                @DefaultValue("0.5") double jitter,
                @DefaultValue("0") int maxAttempts) {
            this.initialDelay = initialDelay;
            this.maxDelay = maxDelay;
            this.multiplier = multiplier;
            this.jitter = jitter;
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public double getJitter() {
            return jitter;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        @AssertTrue(message = "reconnect delays must not be negative")
        public boolean isDelaysValid() {
            return (initialDelay == null || !initialDelay.isNegative()) && (maxDelay == null || !maxDelay.isNegative());
        }
    }

    /** TLS: an SSLEngine per connection, from Spring Integration's SSL context support. Stores are Spring
     * resources: file:, classpath:. */
    public static final class Tls {

        /** TLS on (both ends must agree). */
        private final boolean enabled;
        /** Key store (the listener's certificate and key); a connector needs one only for client certificates. */
        private final String keyStore;
        /** Password of the key store. */
        private final String keyStorePassword;
        /** Type of the key store. */
        @NotBlank
        private final String keyStoreType;
        /** Trust store (certificates the peer may present); defaults to the key store. */
        private final String trustStore;
        /** Password of the trust store. */
        private final String trustStorePassword;
        /** Type of the trust store. */
        @NotBlank
        private final String trustStoreType;
        /** SSLContext protocol. */
        @NotBlank
        private final String protocol;
        /** Connector: check that the server's certificate names the host connected to. */
        private final boolean verifyHost;
        /** A handshake not done within this time of the connect closes the connection. */
        @NotNull
        private final Duration handshakeTimeout;
        /** Threads that run the handshakes' delegated tasks (never an event loop); 0: half the cores, at least 1. */
        @Min(0)
        @Max(256)
        private final int handshakeThreads;
        /** Handshake tasks waiting for a handshake thread, at most; beyond it a connection is refused (tls_busy). */
        @Min(1)
        private final int handshakeQueue;

        public Tls(
                @DefaultValue("false") boolean enabled,
                String keyStore,
                @DefaultValue("") String keyStorePassword,
                @DefaultValue("PKCS12") String keyStoreType,
                String trustStore,
                @DefaultValue("") String trustStorePassword,
                @DefaultValue("PKCS12") String trustStoreType,
                @DefaultValue("TLSv1.3") String protocol,
                @DefaultValue("true") boolean verifyHost,
                @DefaultValue("10s") Duration handshakeTimeout,
                @DefaultValue("0") int handshakeThreads,
                @DefaultValue("1024") int handshakeQueue) {
            this.enabled = enabled;
            this.keyStore = keyStore;
            this.keyStorePassword = keyStorePassword;
            this.keyStoreType = keyStoreType;
            this.trustStore = trustStore;
            this.trustStorePassword = trustStorePassword;
            this.trustStoreType = trustStoreType;
            this.protocol = protocol;
            this.verifyHost = verifyHost;
            this.handshakeTimeout = handshakeTimeout;
            this.handshakeThreads = handshakeThreads;
            this.handshakeQueue = handshakeQueue;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public String getKeyStore() {
            return keyStore;
        }

        public String getKeyStorePassword() {
            return keyStorePassword;
        }

        public String getKeyStoreType() {
            return keyStoreType;
        }

        public String getTrustStore() {
            return trustStore;
        }

        public String getTrustStorePassword() {
            return trustStorePassword;
        }

        public String getTrustStoreType() {
            return trustStoreType;
        }

        public String getProtocol() {
            return protocol;
        }

        public boolean isVerifyHost() {
            return verifyHost;
        }

        public Duration getHandshakeTimeout() {
            return handshakeTimeout;
        }

        public int getHandshakeThreads() {
            return handshakeThreads;
        }

        public int getHandshakeQueue() {
            return handshakeQueue;
        }

        /** The threads to run: as configured, or half the cores (at least one), so the loops keep the rest. */
        public int getHandshakeThreadCount() {
            return handshakeThreads > 0 ? handshakeThreads
                    : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }

        @AssertTrue(message = "tls.handshake-timeout must be above 0")
        public boolean isHandshakeTimeoutValid() {
            return handshakeTimeout == null || positive(handshakeTimeout);
        }
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    /**
     * What each session of a listener may send (its client's traffic), as token buckets of packets and bytes per
     * second with a burst; a rate of 0 turns its bucket off. Over budget, the event loop stops reading that socket
     * until a quarter of the burst is back (TCP pushes back on the sender); a session whose reading stayed paused
     * for {@code kick-after} in one stretch over budget gets {@code S_Kick(rate_limited)}.
     */
    public static final class RateLimit {

        /** Packets (frames; reads in raw mode) per second; 0: no packet budget. */
        @Min(0)
        @Max(1_000_000_000)
        private final long packetsPerSecond;
        /** Packets a session may send at once above the rate. */
        @Min(1)
        private final long packetBurst;
        /** Bytes per second; 0: no byte budget. */
        @NotNull
        private final DataSize bytesPerSecond;
        /** Bytes a session may send at once above the rate (at least 64 bytes). */
        @NotNull
        private final DataSize byteBurst;
        /** Paused reading, in one stretch over budget, after which the session is kicked; 0: never kicked. */
        @NotNull
        private final Duration kickAfter;

        public RateLimit(
                @DefaultValue("20000") long packetsPerSecond,
                @DefaultValue("40000") long packetBurst,
                @DefaultValue("1MB") DataSize bytesPerSecond,
                @DefaultValue("2MB") DataSize byteBurst,
                @DefaultValue("5s") Duration kickAfter) {
            this.packetsPerSecond = packetsPerSecond;
            this.packetBurst = packetBurst;
            this.bytesPerSecond = bytesPerSecond;
            this.byteBurst = byteBurst;
            this.kickAfter = kickAfter;
        }

        public long getPacketsPerSecond() {
            return packetsPerSecond;
        }

        public long getPacketBurst() {
            return packetBurst;
        }

        public DataSize getBytesPerSecond() {
            return bytesPerSecond;
        }

        public DataSize getByteBurst() {
            return byteBurst;
        }

        public Duration getKickAfter() {
            return kickAfter;
        }

        @AssertTrue(message = "servercore.session.rate-limit: bytes-per-second within 0..1GB, byte-burst at least 64B, "
                + "kick-after not negative")
        public boolean isValid() {
            return bytesPerSecond == null || byteBurst == null || kickAfter == null
                    || (bytesPerSecond.toBytes() >= 0 && bytesPerSecond.toBytes() <= 1_000_000_000L
                            && byteBurst.toBytes() >= 64 && !kickAfter.isNegative());
        }

        /** The engine's form; null when both buckets are off. */
        RateLimits toLimits() {
            RateLimits limits = new RateLimits(packetsPerSecond, packetBurst, bytesPerSecond.toBytes(),
                    byteBurst.toBytes(), kickAfter.toNanos());
            return limits.isOff() ? null : limits;
        }
    }

    /**
     * Resume (PROTOCOL.md v3): a session its client made resumable survives a dropped connection for {@code window},
     * keeping what is sent to it, within the listener's bounds on detached sessions.
     */
    public static final class Resume {

        /** How long a detached session waits for its client to resume it; 0 turns resume off. */
        @NotNull
        private final Duration window;
        /** Most sessions waiting detached at once on the listener; a drop beyond it ends the session. */
        @Min(0)
        private final int maxDetached;
        /** Most bytes the detached sessions of the listener hold together; the one whose send passes it ends. */
        @NotNull
        private final DataSize maxDetachedBytes;

        public Resume(
                @DefaultValue("30s") Duration window,
                @DefaultValue("10000") int maxDetached,
                @DefaultValue("256MB") DataSize maxDetachedBytes) {
            this.window = window;
            this.maxDetached = maxDetached;
            this.maxDetachedBytes = maxDetachedBytes;
        }

        public Duration getWindow() {
            return window;
        }

        public int getMaxDetached() {
            return maxDetached;
        }

        public DataSize getMaxDetachedBytes() {
            return maxDetachedBytes;
        }

        @AssertTrue(message = "servercore.session.resume: window within 0..1h (0 is off), max-detached-bytes not negative")
        public boolean isValid() {
            return window == null || maxDetachedBytes == null || (!window.isNegative()
                    && window.compareTo(Duration.ofHours(1)) <= 0 && maxDetachedBytes.toBytes() >= 0);
        }

        ResumeSettings toSettings() {
            return new ResumeSettings(window.toNanos(), maxDetached, maxDetachedBytes.toBytes());
        }
    }

    /** Every session, both directions. */
    public static final class SessionProperties {

        /** Largest frame accepted, header included (PROTOCOL.md: at most 65535). */
        @Min(Frames.HEADER_SIZE)
        @Max(Frames.MAX_FRAME_SIZE)
        private final int maxFrameSize;
        /** Bytes a session may have queued and unwritten; beyond it the session is closed as a slow consumer. */
        @NotNull
        private final DataSize sendQueueLimit;
        /**
         * Most bytes one read takes from a socket, into a buffer of each event loop (not of each connection: an
         * idle session holds no read buffer).
         */
        @NotNull
        private final DataSize readBufferSize;
        /**
         * Bytes queued for a peer that does not read for this long (a write waiting on a full socket, or a
         * disconnect() still flushing) end the session: as a slow consumer, or closed as asked. 0 disables it.
         */
        @NotNull
        private final Duration writeTimeout;
        /** Most bytes gathered from the send queue into one socket write (a buffer of each event loop). */
        @NotNull
        private final DataSize writeBatchSize;
        /** On shutdown, how long queued sends may take to flush before sessions are closed; 0 closes at once. */
        @NotNull
        private final Duration shutdownDrainTimeout;
        /**
         * A frame whose first byte has arrived must be complete within this time, or the session ends with
         * protocol_error (a slowloris that trickles a header forever). 0 disables it.
         */
        @NotNull
        private final Duration frameTimeout;
        /**
         * A callback (or other work on an event loop) running longer than this is logged with its session and
         * stack, and counted in servercore.callbacks.blocked. 0 disables the check.
         */
        @NotNull
        private final Duration blockedCallbackWarning;

        /** What each session of a listener may send; over it, reading stops until the budget is back. */
        @Valid
        private final RateLimit rateLimit;
        /** How a listener keeps sessions for a resume. */
        @Valid
        private final Resume resume;

        public SessionProperties(
                @DefaultValue("4096") int maxFrameSize,
                @DefaultValue("1MB") DataSize sendQueueLimit,
                @DefaultValue("64KB") DataSize readBufferSize,
                @DefaultValue("10s") Duration writeTimeout,
                @DefaultValue("64KB") DataSize writeBatchSize,
                @DefaultValue("5s") Duration shutdownDrainTimeout,
                @DefaultValue("10s") Duration frameTimeout,
                @DefaultValue("100ms") Duration blockedCallbackWarning,
                @DefaultValue RateLimit rateLimit,
                @DefaultValue Resume resume) {
            this.rateLimit = rateLimit;
            this.resume = resume;
            this.maxFrameSize = maxFrameSize;
            this.sendQueueLimit = sendQueueLimit;
            this.readBufferSize = readBufferSize;
            this.writeTimeout = writeTimeout;
            this.writeBatchSize = writeBatchSize;
            this.shutdownDrainTimeout = shutdownDrainTimeout;
            this.frameTimeout = frameTimeout;
            this.blockedCallbackWarning = blockedCallbackWarning;
        }

        public int getMaxFrameSize() {
            return maxFrameSize;
        }

        public DataSize getSendQueueLimit() {
            return sendQueueLimit;
        }

        public DataSize getReadBufferSize() {
            return readBufferSize;
        }

        public Duration getWriteTimeout() {
            return writeTimeout;
        }

        public DataSize getWriteBatchSize() {
            return writeBatchSize;
        }

        public Duration getShutdownDrainTimeout() {
            return shutdownDrainTimeout;
        }

        public Duration getFrameTimeout() {
            return frameTimeout;
        }

        public Duration getBlockedCallbackWarning() {
            return blockedCallbackWarning;
        }

        public RateLimit getRateLimit() {
            return rateLimit;
        }

        public Resume getResume() {
            return resume;
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
                    nonNegative("blocked-callback-warning", blockedCallbackWarning), maxSessions,
                    rateLimit.toLimits(), resume.toSettings());
        }

        @AssertTrue(message = "durations must not be negative (0 means off)")
        public boolean isDurationsValid() {
            Duration[] durations = {writeTimeout, shutdownDrainTimeout, frameTimeout, blockedCallbackWarning};
            for (Duration d : durations) {
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
