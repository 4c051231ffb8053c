package dev.servercore.dummyclient;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** {@code servercore.dummyclient.*}: what the dummy client profile does. Reference: HELP.md. */
@ConfigurationProperties("servercore.dummyclient")
@Validated
public class DummyClientProperties {

    /** What the sessions do: echo (as the C# DummyClient), chat in rooms, or move in rooms. */
    public enum Scenario {
        ECHO, CHAT, MOVE
    }

    @NotNull
    private Scenario scenario = Scenario.ECHO;
    /** chat and move: rooms the sessions are spread over (session i joins room-(i mod rooms)). */
    @Min(1)
    private int rooms = 10;
    /** move: moves per second of each session. */
    @jakarta.validation.constraints.DecimalMin("0.1")
    @jakarta.validation.constraints.DecimalMax("1000")
    private double moveRate = 10;
    /** chat: chats per second of each session. */
    @jakarta.validation.constraints.DecimalMin("0.1")
    @jakarta.validation.constraints.DecimalMax("1000")
    private double chatRate = 1;

    public Scenario getScenario() {
        return scenario;
    }

    public void setScenario(Scenario scenario) {
        this.scenario = scenario;
    }

    public int getRooms() {
        return rooms;
    }

    public void setRooms(int rooms) {
        this.rooms = rooms;
    }

    public double getMoveRate() {
        return moveRate;
    }

    public void setMoveRate(double moveRate) {
        this.moveRate = moveRate;
    }

    public double getChatRate() {
        return chatRate;
    }

    public void setChatRate(double chatRate) {
        this.chatRate = chatRate;
    }

    @jakarta.validation.constraints.AssertTrue(message = "the chat and move scenarios need a duration above 0 "
            + "and are not continuous")
    public boolean isScenarioValid() {
        return scenario == Scenario.ECHO || (!continuous && duration != null && !duration.isZero());
    }

    /** Sessions opened to the server. */
    @Min(1)
    private int sessions = 10;
    /** 0: each session sends the five "Hello World!" echoes and the run ends. Above 0: load for this long. */
    @NotNull
    private Duration duration = Duration.ZERO;
    /** Load: echo requests each session keeps in flight. */
    @Min(1)
    @Max(4096)
    private int window = 8;
    /** Load: bytes of each echo body. */
    @Min(0)
    @Max(65535 - 4)
    private int bodySize = 32;
    /** Load: run before measuring starts (not counted in the summary). */
    @NotNull
    private Duration warmup = Duration.ZERO;
    /** Keep driving load until stopped, logging a summary every report interval (for compose). */
    private boolean continuous = false;
    @NotNull
    private Duration reportInterval = Duration.ofSeconds(10);
    /** Most connects in progress at once (a burst of SYNs past the server's backlog only adds retries). */
    @Min(1)
    private int connectConcurrency = 128;
    /** How long the sessions may take to connect and be welcomed, and the last replies to arrive. */
    @NotNull
    private Duration timeout = Duration.ofSeconds(30);

    public int getSessions() {
        return sessions;
    }

    public void setSessions(int sessions) {
        this.sessions = sessions;
    }

    public Duration getDuration() {
        return duration;
    }

    public void setDuration(Duration duration) {
        this.duration = duration;
    }

    public int getWindow() {
        return window;
    }

    public void setWindow(int window) {
        this.window = window;
    }

    public int getBodySize() {
        return bodySize;
    }

    public void setBodySize(int bodySize) {
        this.bodySize = bodySize;
    }

    public Duration getWarmup() {
        return warmup;
    }

    public void setWarmup(Duration warmup) {
        this.warmup = warmup;
    }

    public boolean isContinuous() {
        return continuous;
    }

    public void setContinuous(boolean continuous) {
        this.continuous = continuous;
    }

    public Duration getReportInterval() {
        return reportInterval;
    }

    public void setReportInterval(Duration reportInterval) {
        this.reportInterval = reportInterval;
    }

    public int getConnectConcurrency() {
        return connectConcurrency;
    }

    public void setConnectConcurrency(int connectConcurrency) {
        this.connectConcurrency = connectConcurrency;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** Load mode: echoes keep flowing (for a duration, or continuously), not just the five hellos. */
    public boolean isLoad() {
        return continuous || !duration.isZero();
    }
}
