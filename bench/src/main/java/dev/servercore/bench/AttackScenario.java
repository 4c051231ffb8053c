package dev.servercore.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import dev.servercore.core.Frames;
import dev.servercore.core.SessionLayer;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import org.HdrHistogram.Histogram;

/**
 * One hostile client beside honest ones, against a gateway with its default settings (issue 15). The honest
 * side: {@code --members} sessions in the lobby, each chatting once every two seconds and reading everything;
 * an echo prober (one echo every 10 ms, timed); a join prober (a join every second, timed until
 * {@code S_JoinedRoom}). Honest chats are counted over the whole run (each must reach all members); the
 * timings and the server's figures over the measured window. The attacker, from {@code --attacker-address} (127.0.0.2: "another address" to the
 * gateway's per-address rules), one of:
 * <ul>
 * <li>{@code chat-flood}: one session in the lobby sending {@code --chat-bytes} chats as fast as the socket takes
 * them (reconnecting when kicked);</li>
 * <li>{@code join-flood}: {@code --attackers} sessions sending C_JoinRoom with a fresh name each time;</li>
 * <li>{@code churn}: {@code --attackers} threads connecting and closing as fast as they can;</li>
 * <li>{@code tls-flood}: {@code --attackers} threads making TLS handshakes and closing (the gateway on TLS, the
 * honest side too);</li>
 * <li>{@code none}, {@code tls-none}: the baselines, plain and TLS.</li>
 * </ul>
 * Prints {@code RESULT attack=... honest_closed=N echo_p50_us echo_p99_us echo_max_us join_p99_ms join_max_ms
 * honest_chats_lost rooms_max heap_mb_start heap_mb_max server_cpu_s gen_cpu_s attacker_*}. The server's
 * actuator ({@code --mgmt-port}) gives rooms and heap.
 */
final class AttackScenario {

    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-0-9.Ee+]+)");

    private final Args args;
    private final String host;
    private final int port;
    private final boolean tls;
    private final String attackerAddress;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger honestClosed = new AtomicInteger();
    private final AtomicLong honestChatsSent = new AtomicLong();
    private final AtomicLong honestChatsReceived = new AtomicLong();
    private final Histogram echoes = new Histogram(3_600_000_000L, 3);
    private final Histogram joins = new Histogram(3_600_000_000L, 3);
    private final AtomicLong attackerFrames = new AtomicLong();
    private final AtomicLong attackerBytes = new AtomicLong();
    private final AtomicLong attackerConnects = new AtomicLong();
    private final AtomicLong attackerRefused = new AtomicLong();
    private final AtomicLong attackerKicks = new AtomicLong();
    private volatile boolean measuring;
    /** Set once every member is in: a chat sent before would miss the members that were not yet. */
    private volatile boolean chatting;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final SSLContext trustAll;

    private AttackScenario(Args args) throws Exception {
        this.args = args;
        this.host = args.str("host", "127.0.0.1");
        this.port = args.integer("port", 7777);
        this.tls = args.has("tls");
        this.attackerAddress = args.str("attacker-address", "127.0.0.2");
        this.trustAll = SSLContext.getInstance("TLSv1.3");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
    }

    static int run(Args args) throws Exception {
        return new AttackScenario(args).execute();
    }

    private int execute() throws Exception {
        String attack = args.str("attack", "none");
        int members = args.integer("members", 200);
        long warmup = args.nanos("warmup", "5s");
        long duration = args.nanos("duration", "20s");
        for (int i = 0; i < members; i++) {
            Socket socket = connect(null);
            readFrame(new DataInputStream(socket.getInputStream())); // S_Welcome
            start("honest-" + i, () -> honestMember(socket));
        }
        chatting = true;
        start("echo-prober", this::echoProber);
        start("join-prober", this::joinProber);
        System.err.printf("[attack] %d honest members connected; attack %s after %d s of warm-up%n", members, attack,
                warmup / 1_000_000_000L);
        sleepNanos(warmup);
        double heapStart = metric("jvm.memory.used", "area:heap");
        CpuWindow cpu = CpuWindow.start(args);
        long windowStart = System.nanoTime();
        measuring = true;
        int attackers = args.integer("attackers", 8);
        switch (attack) {
            case "none", "tls-none" -> { }
            case "chat-flood" -> start("flooder", this::chatFlooder);
            case "join-flood" -> {
                for (int i = 0; i < attackers; i++) {
                    int n = i;
                    start("joiner-" + i, () -> joinFlooder(n));
                }
            }
            case "churn" -> {
                for (int i = 0; i < attackers; i++) {
                    start("churner-" + i, this::churner);
                }
            }
            case "tls-flood" -> {
                for (int i = 0; i < attackers; i++) {
                    start("handshaker-" + i, this::churner);
                }
            }
            default -> throw new IllegalArgumentException("unknown --attack " + attack);
        }
        double roomsMax = 0;
        double heapMax = heapStart;
        long end = System.nanoTime() + duration;
        while (System.nanoTime() < end) {
            sleepNanos(500_000_000L);
            roomsMax = Math.max(roomsMax, metric("servercore.rooms", null));
            heapMax = Math.max(heapMax, metric("jvm.memory.used", "area:heap"));
        }
        measuring = false;
        String cpuFigures = cpu.figures() + " window_s=" + EchoScenario.fmt((System.nanoTime() - windowStart) / 1e9);
        running.set(false);
        sleepNanos(2_500_000_000L); // the last chats arrive; each member reads on 3 s after its last chat
        long expected = honestChatsSent.get() * members; // every honest chat of the run, to every honest member
        System.out.printf("RESULT attack=%s members=%d honest_closed=%d echo_p50_us=%d echo_p99_us=%d echo_max_us=%d "
                        + "echoes=%d join_p99_ms=%.1f join_max_ms=%.1f joins=%d honest_chats_expected=%d "
                        + "honest_chats_received=%d rooms_max=%.0f heap_mb_start=%.1f heap_mb_max=%.1f rss_mb=%.1f %s "
                        + "attacker_connects=%d attacker_refused=%d attacker_kicks=%d attacker_frames=%d "
                        + "attacker_mb=%.1f%n",
                attack, members, honestClosed.get(), echoes.getValueAtPercentile(50), echoes.getValueAtPercentile(99),
                echoes.getMaxValue(), echoes.getTotalCount(), joins.getValueAtPercentile(99) / 1000.0,
                joins.getMaxValue() / 1000.0, joins.getTotalCount(), expected, honestChatsReceived.get(), roomsMax,
                heapStart / 1e6, heapMax / 1e6, rssKib() / 1024.0, cpuFigures, attackerConnects.get(),
                attackerRefused.get(), attackerKicks.get(), attackerFrames.get(), attackerBytes.get() / 1e6);
        for (Thread thread : threads) {
            thread.interrupt();
        }
        return 0;
    }

    // ---------------------------------------------------------------- the honest side

    /** In the lobby: a chat every two seconds (far below the demo's budget), and every frame read. */
    private void honestMember(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        Frame frame = readFrame(in);
                        if (frame.id == ChatMessage.ID && frame.body.length > 4 && frame.body[4] == 'h') {
                            honestChatsReceived.incrementAndGet();
                        }
                    }
                } catch (IOException closed) {
                    if (running.get()) {
                        honestClosed.incrementAndGet();
                    }
                }
            });
            reader.setDaemon(true);
            reader.start();
            byte[] chat = new ChatRequest("honest").encode();
            while (!chatting) {
                Thread.sleep(10);
            }
            Thread.sleep(500 + (long) (Math.random() * 2000)); // every member's lobby join is done by then
            while (running.get()) {
                out.write(chat);
                honestChatsSent.incrementAndGet();
                Thread.sleep(2000);
            }
            reader.join(3000);
        } catch (IOException | InterruptedException e) {
            // the end of the run, or the server closed it (counted by the reader)
        }
    }

    private void echoProber() {
        try (Socket socket = connect(null)) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            readFrame(in);
            byte[] echo = Frames.encode(Echo.ID, new byte[32]);
            while (running.get()) {
                long start = System.nanoTime();
                out.write(echo);
                Frame frame;
                do {
                    frame = readFrame(in); // the lobby's chats come too
                } while (frame.id != Echo.ID);
                if (measuring) {
                    echoes.recordValue((System.nanoTime() - start) / 1000);
                }
                Thread.sleep(10);
            }
        } catch (IOException | InterruptedException e) {
            if (running.get()) {
                System.err.println("[attack] the echo prober was closed: " + e);
                honestClosed.incrementAndGet();
            }
        }
    }

    private void joinProber() {
        try (Socket socket = connect(null)) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            readFrame(in);
            for (int n = 0; running.get(); n++) {
                String room = "probe-" + (n % 2);
                long start = System.nanoTime();
                out.write(new JoinRoom(room).encode());
                while (true) {
                    Frame frame = readFrame(in);
                    if (frame.id == JoinedRoom.ID && JoinedRoom.TYPE.decode(ByteBuffer.wrap(frame.body)).room().equals(room)) {
                        break;
                    }
                }
                if (measuring) {
                    joins.recordValue((System.nanoTime() - start) / 1000);
                }
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException e) {
            if (running.get()) {
                System.err.println("[attack] the join prober was closed: " + e);
                honestClosed.incrementAndGet();
            }
        }
    }

    // ---------------------------------------------------------------- the attacker

    private void chatFlooder() {
        byte[] text = new byte[args.integer("chat-bytes", 4088)];
        java.util.Arrays.fill(text, (byte) 'x');
        byte[] chat = Frames.encode(ChatRequest.ID, text);
        byte[] batch = new byte[chat.length * 16];
        for (int i = 0; i < 16; i++) {
            System.arraycopy(chat, 0, batch, i * chat.length, chat.length);
        }
        while (running.get()) {
            try (Socket socket = connect(attackerAddress)) {
                attackerConnects.incrementAndGet();
                drainInBackground(socket);
                OutputStream out = socket.getOutputStream();
                while (running.get()) {
                    out.write(batch);
                    attackerFrames.addAndGet(16);
                    attackerBytes.addAndGet(batch.length);
                }
            } catch (IOException e) {
                pause(); // kicked or refused: again
            }
        }
    }

    private void joinFlooder(int attacker) {
        long n = 0;
        while (running.get()) {
            try (Socket socket = connect(attackerAddress)) {
                attackerConnects.incrementAndGet();
                drainInBackground(socket);
                OutputStream out = socket.getOutputStream();
                java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
                while (running.get()) {
                    batch.reset();
                    for (int i = 0; i < 64; i++) {
                        batch.writeBytes(new JoinRoom("a" + attacker + "x" + (n++)).encode());
                    }
                    out.write(batch.toByteArray());
                    attackerFrames.addAndGet(64);
                    attackerBytes.addAndGet(batch.size());
                }
            } catch (IOException e) {
                pause();
            }
        }
    }

    /** Connects (a TLS handshake too, on a TLS gateway), reads the welcome if it comes, closes; again. */
    private void churner() {
        while (running.get()) {
            try (Socket socket = connect(attackerAddress)) {
                attackerConnects.incrementAndGet();
                socket.setSoTimeout(1000);
                if (socket.getInputStream().read() < 0) {
                    attackerRefused.incrementAndGet();
                }
            } catch (IOException e) {
                attackerRefused.incrementAndGet();
            }
        }
    }

    /** Reads whatever the server sends the attacker (so that it is not a slow consumer), counting its kicks. */
    private void drainInBackground(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        Thread drain = new Thread(() -> {
            try {
                while (true) {
                    if (readFrame(in).id == SessionLayer.S_KICK) {
                        attackerKicks.incrementAndGet();
                    }
                }
            } catch (IOException closed) {
                // kicked, refused, or the end of the run
            }
        });
        drain.setDaemon(true);
        drain.start();
    }

    // ---------------------------------------------------------------- plumbing

    private Socket connect(String localAddress) throws IOException {
        Socket socket = tls ? trustAll.getSocketFactory().createSocket() : new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.setTcpNoDelay(true);
        socket.setSoLinger(true, 0); // closed with a reset: a churn leaves no TIME_WAIT behind
        socket.connect(new InetSocketAddress(host, port), 5000);
        if (socket instanceof SSLSocket ssl) {
            ssl.startHandshake();
        }
        return socket;
    }

    private record Frame(int id, byte[] body) {
    }

    private static Frame readFrame(DataInputStream in) throws IOException {
        int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
        int id = in.readUnsignedByte() | in.readUnsignedByte() << 8;
        byte[] body = new byte[Math.max(0, size - Frames.HEADER_SIZE)];
        in.readFully(body);
        return new Frame(id, body);
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private double metric(String name, String tag) {
        int mgmt = args.integer("mgmt-port", 0);
        if (mgmt == 0) {
            return 0;
        }
        try {
            String uri = "http://127.0.0.1:" + mgmt + "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher value = VALUE.matcher(response.body());
            return value.find() ? Double.parseDouble(value.group(1)) : 0;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return 0;
        }
    }

    private long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + args.str("server-pid", "0") + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no server pid
        }
        return 0;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        Thread.sleep(nanos / 1_000_000);
    }
}
