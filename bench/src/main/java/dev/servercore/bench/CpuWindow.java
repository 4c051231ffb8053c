package dev.servercore.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the server under test and of this generator over exactly the measured window: the server's
 * from /proc/PID/stat (user + system), the generator's own from the JVM. With both, a table can lead with
 * server CPU per operation and show that the generator was the lighter of the two.
 */
final class CpuWindow {

    /** Clock ticks per second of /proc/PID/stat: 100 on Linux (CONFIG_HZ does not change USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long serverPid;
    private final long serverStart;
    private final long ownStart;

    private CpuWindow(long serverPid) {
        this.serverPid = serverPid;
        this.serverStart = serverTicks();
        this.ownStart = ownNanos();
    }

    /** Starts measuring; {@code --server-pid} names the server (0: only the generator is measured). */
    static CpuWindow start(Args args) {
        return new CpuWindow(Long.parseLong(args.str("server-pid", "0")));
    }

    /** {@code server_cpu_s=... gen_cpu_s=...} since the start. */
    String figures() {
        double server = serverPid > 0 ? (serverTicks() - serverStart) / TICKS_PER_SECOND : -1;
        double own = (ownNanos() - ownStart) / 1e9;
        return "server_cpu_s=" + EchoScenario.fmt(server) + " gen_cpu_s=" + EchoScenario.fmt(own);
    }

    private long serverTicks() {
        if (serverPid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long ownNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
