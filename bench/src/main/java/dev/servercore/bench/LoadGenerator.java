package dev.servercore.bench;

/**
 * The benchmark's load generator: Netty client sessions on a few event loops, every reply checked.
 * <pre>
 *   java -cp servercore-bench.jar dev.servercore.bench.LoadGenerator echo --port N [--sessions 100 --inflight 8 --body 32]
 *   ... chat --port N [--sessions 200 --senders 20 --rate 50]   (--ports N,M,...: session i on port i mod n)
 *   ... hold --port N [--sessions 10000 --hold 15s]    (idle sessions, then one echo each)
 *   ... attack --port N --attack none|chat-flood|join-flood|churn|tls-flood [--members 200 --attackers 8
 *       --mgmt-port M --tls]   (one hostile client beside honest ones; see AttackScenario)
 * </pre>
 * Common: --host 127.0.0.1 --threads (event loops; default: cores) --warmup 5s --duration 10s.
 * chat: --start-file F / --stop-file F end the warm-up / the window when F exists (the times then bound them).
 * Prints one {@code RESULT key=value ...} line on stdout; progress goes to stderr.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, 0);
        String scenario = args.command();
        int code = switch (scenario == null ? "" : scenario) {
            case "echo" -> EchoScenario.run(args);
            case "chat" -> ChatScenario.run(args);
            case "hold" -> HoldScenario.run(args);
            case "attack" -> AttackScenario.run(args);
            default -> {
                System.err.println("usage: LoadGenerator echo|chat|hold|attack --port N [options]; see the class comment");
                yield 2;
            }
        };
        System.out.flush();
        System.exit(code);
    }
}
