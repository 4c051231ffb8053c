package dev.servercore.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * A stop closes a factory's selector from the stopping thread, which empties the selector's selected-key set;
 * the loop may be walking that set at the moment (seen in CI: the last sessions ended early in a pass with many
 * ready keys, the stop went on to close the selector, and the loop died with an uncaught
 * ConcurrentModificationException). The pass must end quietly instead.
 */
class StopDuringPassTest {

    @Test
    void aSelectorClosedByAnotherThreadWhileThePassWalksItsReadyKeysEndsThePassQuietly() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.defaults();
        EndpointContext endpoint = new EndpointContext("stop-pass", true,
                properties.getSession().toSettings(Duration.ZERO, 10), new SessionRegistry());
        EventLoop loop = new EventLoop("stop-pass-loop", endpoint);
        endpoint.metrics(new SessionMetrics(new SimpleMeterRegistry(), "server", endpoint, List.of(loop)));
        loop.driveFromCurrentThread();
        Selector selector = Selector.open();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // four listening sockets, each with a connect waiting: four ready keys
                ServerSocketChannel server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                opened.add(server);
                opened.add(SocketChannel.open(server.getLocalAddress()));
            }
            int selected = 0;
            for (long deadline = System.nanoTime() + 5_000_000_000L; selected < 4 && System.nanoTime() < deadline; ) {
                selected = selector.select(100);
            }
            assertThat(selected).isEqualTo(4);
            int[] visited = {0};
            int ready = selected;
            assertThatCode(() -> loop.pass(ready, selector, key -> {
                if (visited[0]++ == 0) { // the first key: a stop, on its own thread, closes the selector meanwhile
                    Thread stop = new Thread(() -> {
                        try {
                            selector.close();
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    stop.start();
                    stop.join();
                }
            })).doesNotThrowAnyException();
            assertThat(visited[0]).isEqualTo(1);
        } finally {
            selector.close();
            for (AutoCloseable closeable : opened) {
                closeable.close();
            }
        }
    }
}
