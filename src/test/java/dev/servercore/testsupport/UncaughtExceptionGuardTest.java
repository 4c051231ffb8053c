package dev.servercore.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The guard sees a thread that dies of an uncaught exception (a virtual one too, where there are). */
class UncaughtExceptionGuardTest {

    @Test
    void aThreadThatDiesOfAnUncaughtExceptionIsSeen() throws Exception {
        UncaughtExceptionGuard.install();
        Thread dying = new Thread(() -> {
            throw new IllegalStateException("deliberately uncaught, for the guard's test");
        }, "test-dying-thread");
        dying.start();
        dying.join();
        assertThat(UncaughtExceptionGuard.takeUncaught()).singleElement().asString()
                .contains("test-dying-thread").contains("deliberately uncaught");
    }
}
