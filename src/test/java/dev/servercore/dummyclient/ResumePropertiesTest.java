package dev.servercore.dummyclient;

import java.util.Map;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** servercore.dummyclient.resume and chaos.drop-rate: their defaults, and the combinations refused. */
class ResumePropertiesTest {

    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    private static Set<ConstraintViolation<DummyClientProperties>> violations(Map<String, ?> settings) {
        return VALIDATOR.validate(DummyClientProperties.of(settings));
    }

    @Test
    void resumeIsOffAndNothingIsResetByDefault() {
        DummyClientProperties properties = DummyClientProperties.of(Map.of());
        assertThat(properties.isResume()).isFalse();
        assertThat(properties.getChaos().getDropRate()).isZero();
        assertThat(violations(Map.of())).isEmpty();
    }

    @Test
    void chatOrMoveForADurationMayResumeUnderChaos() {
        assertThat(violations(Map.of("scenario", "chat", "duration", "2s", "resume", "true", "chaos.drop-rate", "5")))
                .isEmpty();
        assertThat(DummyClientProperties.of(Map.of("chaos.drop-rate", "2.5")).getChaos().getDropRate()).isEqualTo(2.5);
    }

    @Test
    void resumeNeedsARoomScenarioAndChaosNeedsResume() {
        assertThat(violations(Map.of("resume", "true"))).extracting(ConstraintViolation::getMessage)
                .containsExactly("servercore.dummyclient.resume applies to the chat and move scenarios");
        assertThat(violations(Map.of("scenario", "move", "continuous", "true", "resume", "true"))).isEmpty();
        assertThat(violations(Map.of("scenario", "chat", "duration", "2s", "chaos.drop-rate", "5")))
                .extracting(ConstraintViolation::getMessage)
                .containsExactly("servercore.dummyclient.chaos.drop-rate above 0 needs servercore.dummyclient.resume=true");
        assertThat(violations(Map.of("scenario", "chat", "duration", "2s", "resume", "true", "chaos.drop-rate", "-1")))
                .hasSize(1);
    }
}
