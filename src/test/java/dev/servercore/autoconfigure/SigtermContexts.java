package dev.servercore.autoconfigure;

import org.springframework.context.support.GenericApplicationContext;

/**
 * A JVM for {@link ExitZeroOnSigtermTest}: two contexts on the engine's SIGTERM handling, the first closed before
 * the second ({@code close-first}: not the reverse order of their starts), or stopped and started again before
 * both close ({@code restart-first}), or one context alone; then it waits
 * for the signal (exit 3 if none comes).
 */
public final class SigtermContexts {

    private SigtermContexts() {
    }

    public static void main(String[] args) throws Exception {
        GenericApplicationContext first = context();
        String mode = args.length > 0 ? args[0] : "";
        if (mode.equals("close-first")) {
            GenericApplicationContext second = context();
            first.close();
            System.out.println("second active: " + second.isActive());
        } else if (mode.equals("restart-first")) { // as the test context cache pauses and restarts contexts
            GenericApplicationContext second = context();
            first.stop();
            first.start();
            second.close();
            first.close();
            System.out.println("both closed");
        }
        System.out.println("ready");
        Thread.sleep(60_000);
        System.exit(3);
    }

    private static GenericApplicationContext context() {
        GenericApplicationContext context = new GenericApplicationContext();
        context.registerBean(ExitZeroOnSigterm.class, () -> new ExitZeroOnSigterm(context));
        context.refresh();
        return context;
    }
}
