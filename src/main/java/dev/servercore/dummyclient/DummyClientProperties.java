package dev.servercore.dummyclient;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.servercore.core.ServerCoreProperties;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code servercore.dummyclient.*}: what the dummy client profile does, immutable, each default written
 * once in its {@code @DefaultValue}. Reference: HELP.md.
 */
@ConfigurationProperties("servercore.dummyclient")
@Validated
public final class DummyClientProperties {

    /** What the sessions do: echo (as the C# DummyClient), chat in rooms, or move in rooms. */
    public enum Scenario {
        ECHO, CHAT, MOVE
    }

    /** What the sessions do: echo (as the C# DummyClient), chat in rooms, or move in rooms. */
    @NotNull
    private final Scenario scenario;
    /** chat and move: rooms the sessions are spread over (session i joins room-(i mod rooms)). */
    @Min(1)
    private final int rooms;
    /** move: moves per second of each session. */
    @DecimalMin("0.1")
    @DecimalMax("1000")
    private final double moveRate;
    /** chat: chats per second of each session that chats. */
    @DecimalMin("0.1")
    @DecimalMax("1000")
    private final double chatRate;
    /** chat: how many sessions chat (the first ones; the others only listen); 0 means every session. */
    @Min(0)
    private final int senders;
    /**
     * Ports of servercore.connector.host to spread the sessions over, e.g. the gateways of a cluster (each
     * room's members over all of them); empty: servercore.connector.port alone.
     */
    @NotNull
    private final List<Integer> ports;
    /** Sessions opened to the server. */
    @Min(1)
    private final int sessions;
    /** 0: each session sends the five "Hello World!" echoes and the run ends. Above 0: load for this long. */
    @NotNull
    private final Duration duration;
    /** Load: echo requests each session keeps in flight. */
    @Min(1)
    @Max(4096)
    private final int window;
    /** Load: bytes of each echo body. */
    @Min(0)
    @Max(65535 - 4)
    private final int bodySize;
    /** Load: run before measuring starts (not counted in the summary). */
    @NotNull
    private final Duration warmup;
    /** Keep driving load until stopped, logging a summary every report interval (for compose). */
    private final boolean continuous;
    /** Continuous: how often the figures are logged. */
    @NotNull
    private final Duration reportInterval;
    /** Most connects in progress at once (a burst of SYNs past the server's backlog only adds retries). */
    @Min(1)
    private final int connectConcurrency;
    /** How long the sessions may take to connect and be welcomed, and the last replies to arrive. */
    @NotNull
    private final Duration timeout;
    /** A run that is not continuous ends the process with its exit code once done (off: in-process runs, tests). */
    private final boolean exitWhenDone;
    /** Logging in to a gateway that requires it (servercore.login.required). */
    @jakarta.validation.Valid
    private final Login login;
    /** chat and move: the sessions are resumable (PROTOCOL.md, Resume) and resume when their connection drops. */
    private final boolean resume;
    /** Connections reset on purpose, to see them resume. */
    @jakarta.validation.Valid
    private final Chaos chaos;

    public DummyClientProperties(@DefaultValue("echo") Scenario scenario,
            @DefaultValue("10") int rooms,
            @DefaultValue("10") double moveRate,
            @DefaultValue("1") double chatRate,
            @DefaultValue("0") int senders,
            @DefaultValue List<Integer> ports,
            @DefaultValue("10") int sessions,
            @DefaultValue("0s") Duration duration,
            @DefaultValue("8") int window,
            @DefaultValue("32") int bodySize,
            @DefaultValue("0s") Duration warmup,
            @DefaultValue("false") boolean continuous,
            @DefaultValue("10s") Duration reportInterval,
            @DefaultValue("128") int connectConcurrency,
            @DefaultValue("30s") Duration timeout,
            @DefaultValue("true") boolean exitWhenDone,
            @DefaultValue Login login,
            @DefaultValue("false") boolean resume,
            @DefaultValue Chaos chaos) {
        this.login = login;
        this.resume = resume;
        this.chaos = chaos;
        this.exitWhenDone = exitWhenDone;
        this.scenario = scenario;
        this.rooms = rooms;
        this.moveRate = moveRate;
        this.chatRate = chatRate;
        this.senders = senders;
        this.ports = List.copyOf(ports);
        this.sessions = sessions;
        this.duration = duration;
        this.window = window;
        this.bodySize = bodySize;
        this.warmup = warmup;
        this.continuous = continuous;
        this.reportInterval = reportInterval;
        this.connectConcurrency = connectConcurrency;
        this.timeout = timeout;
    }

    /** Settings from keys under {@code servercore.dummyclient.}; the rest at their defaults. */
    public static DummyClientProperties of(Map<String, ?> settings) {
        return ServerCoreProperties.bind("servercore.dummyclient", settings, DummyClientProperties.class);
    }

    public Scenario getScenario() {
        return scenario;
    }

    public int getRooms() {
        return rooms;
    }

    public double getMoveRate() {
        return moveRate;
    }

    public double getChatRate() {
        return chatRate;
    }

    public int getSenders() {
        return senders;
    }

    /** Whether the session of that index chats (chat scenario). */
    public boolean isSender(int index) {
        return senders == 0 || index < senders;
    }

    public List<Integer> getPorts() {
        return ports;
    }

    public int getSessions() {
        return sessions;
    }

    public Duration getDuration() {
        return duration;
    }

    public int getWindow() {
        return window;
    }

    public int getBodySize() {
        return bodySize;
    }

    public Duration getWarmup() {
        return warmup;
    }

    public boolean isContinuous() {
        return continuous;
    }

    public Duration getReportInterval() {
        return reportInterval;
    }

    public int getConnectConcurrency() {
        return connectConcurrency;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public boolean isExitWhenDone() {
        return exitWhenDone;
    }

    public Login getLogin() {
        return login;
    }

    public boolean isResume() {
        return resume;
    }

    public Chaos getChaos() {
        return chaos;
    }

    /** Connections the dummy client resets itself (with a TCP RST), so that its resumable sessions resume. */
    public static final class Chaos {

        /** Connections reset per second, across all the sessions (random ones); 0: none. */
        @DecimalMin("0")
        @DecimalMax("10000")
        private final double dropRate;

        public Chaos(@DefaultValue("0") double dropRate) {
            this.dropRate = dropRate;
        }

        public double getDropRate() {
            return dropRate;
        }
    }

    @AssertTrue(message = "servercore.dummyclient.resume applies to the chat and move scenarios")
    public boolean isResumeValid() {
        return !resume || scenario != Scenario.ECHO;
    }

    @AssertTrue(message = "servercore.dummyclient.chaos.drop-rate above 0 needs servercore.dummyclient.resume=true")
    public boolean isChaosValid() {
        return chaos == null || chaos.getDropRate() == 0 || resume;
    }

    /**
     * The dummy client logs in with tokens it mints itself under the gateway's HS256 secret: for load tests only
     * (a real client gets its token from an identity provider, and no client should hold the secret).
     */
    public static final class Login {

        /** The gateway's servercore.login.jwt.hmac-secret; unset: the sessions do not log in. */
        private final String hmacSecret;
        /** Principals are this, a part unique to the process, and the session's number. */
        private final String principalPrefix;

        public Login(String hmacSecret, @DefaultValue("dummy") String principalPrefix) {
            this.hmacSecret = hmacSecret == null || hmacSecret.isBlank() ? null : hmacSecret;
            this.principalPrefix = principalPrefix;
        }

        public String getHmacSecret() {
            return hmacSecret;
        }

        public String getPrincipalPrefix() {
            return principalPrefix;
        }

        public boolean isEnabled() {
            return hmacSecret != null;
        }

        @AssertTrue(message = "servercore.dummyclient.login.hmac-secret must be at least 32 bytes, as the gateway's")
        public boolean isSecretLongEnough() {
            return hmacSecret == null || hmacSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 32;
        }
    }

    @AssertTrue(message = "the chat and move scenarios run for a duration above 0, or continuously")
    public boolean isScenarioValid() {
        return scenario == Scenario.ECHO || continuous || (duration != null && !duration.isZero());
    }

    /** Load mode: echoes keep flowing (for a duration, or continuously), not just the five hellos. */
    public boolean isLoad() {
        return continuous || !duration.isZero();
    }
}
