package dev.servercore.game;

import java.util.Map;

import dev.servercore.autoconfigure.ServerCoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/** servercore.rooms.*: its defaults in one place, bad values refused at startup, also against the session limits. */
class RoomsPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class, ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.enabled=false");

    @Test
    void theDefaultsComeFromTheirOnePlaceAndSettingsBindAsTheApplicationWould() {
        RoomsProperties defaults = RoomsProperties.defaults();
        assertThat(defaults.tickRate()).isEqualTo(20);
        assertThat(defaults.workerThreads()).isZero();
        assertThat(defaults.workerThreadCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(defaults.batching()).isTrue();
        assertThat(defaults.maxRooms()).isEqualTo(10_000);
        assertThat(defaults.maxMembers()).isEqualTo(20_000);
        assertThat(defaults.maxQueuedJobs()).isEqualTo(1000);
        assertThat(defaults.memberBytesPerTick().toBytes()).isEqualTo(4096);
        assertThat(defaults.roomBytesPerTick().toKilobytes()).isEqualTo(16);
        assertThat(defaults.roomFanoutBytesPerTick().toMegabytes()).isEqualTo(4);
        assertThat(defaults.isBudgetsValid()).isTrue();
        RoomsProperties set = RoomsProperties.of(Map.of("tick-rate", 50, "worker-threads", 3, "batching", false,
                "member-bytes-per-tick", "8KB"));
        assertThat(set.tickRate()).isEqualTo(50);
        assertThat(set.workerThreadCount()).isEqualTo(3);
        assertThat(set.batching()).isFalse();
        assertThat(set.memberBytesPerTick().toKilobytes()).isEqualTo(8);
        assertThat(set.maxRooms()).isEqualTo(10_000);
    }

    @Test
    void theApplicationGetsTheRoomsItConfigured() {
        runner.withPropertyValues("servercore.rooms.tick-rate=50", "servercore.rooms.batching=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RoomsProperties.class).tickRate()).isEqualTo(50);
            assertThat(context.getBean(Rooms.class).tickPeriod()).isEqualTo(java.time.Duration.ofMillis(20));
            assertThat(context.getBean(Rooms.class).isBatching()).isFalse();
        });
    }

    @Test
    void theRoomsBoundsAreCheckedAtStartupAgainstEachOtherAndTheSessionLimits() {
        runner.withPropertyValues("servercore.rooms.tick-rate=20").run(context -> assertThat(context).hasNotFailed());
        runner.withPropertyValues("servercore.rooms.tick-rate=0").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.rooms")
                        .hasStackTraceContaining("tickRate"));
        runner.withPropertyValues("servercore.rooms.max-rooms=0").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.rooms")
                        .hasStackTraceContaining("maxRooms"));
        runner.withPropertyValues("servercore.rooms.member-bytes-per-tick=1KB").run(context ->
                assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("member-bytes-per-tick must be at least servercore.session.max-frame-size"));
        runner.withPropertyValues("servercore.rooms.room-bytes-per-tick=2KB").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("room-bytes-per-tick at least"));
        runner.withPropertyValues("servercore.rooms.room-bytes-per-tick=1MB").run(context ->
                assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("room-bytes-per-tick below servercore.session.send-queue-limit"));
        runner.withPropertyValues("servercore.rooms.room-bytes-per-tick=1MB", "servercore.session.send-queue-limit=2MB")
                .run(context -> assertThat(context).hasNotFailed());
    }
}
