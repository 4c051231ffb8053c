package dev.servercore.testsupport;

import java.util.Random;

/**
 * Property-based trials without a framework: each trial gets its own seeded {@link Random}; a failure
 * names the seed, and {@code -Dservercore.test.seed=<seed>} replays exactly that trial first.
 */
public final class RandomTrials {

    @FunctionalInterface
    public interface Trial {
        void run(Random random) throws Exception;
    }

    private RandomTrials() {
    }

    public static void run(int trials, Trial trial) throws Exception {
        String replay = System.getProperty("servercore.test.seed");
        if (replay != null) {
            runOne(Long.parseLong(replay), trial);
        }
        long base = new Random().nextLong();
        for (int i = 0; i < trials; i++) {
            runOne(base + i, trial);
        }
    }

    private static void runOne(long seed, Trial trial) throws Exception {
        try {
            trial.run(new Random(seed));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("Trial failed; replay with -Dservercore.test.seed=" + seed + ": " + e, e);
        }
    }
}
