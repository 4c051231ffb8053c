package dev.servercore.core;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An exception while sendAll iterates still posts the drains it owed: later sends to those sessions go out. */
@LoopbackServerTest
class SendAllThrowTest {

    @Autowired
    ApplicationContext context;

    @Test
    void sendAfterAFailedSendAllStillGoesOut() throws Exception {
        Queue<SendAllTest.Member> opened = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "send-all-throw", ServerCoreProperties.of(Map.of(
                "listener.event-loops", "1")), () -> {
                    SendAllTest.Member m = new SendAllTest.Member();
                    opened.add(m);
                    return m;
                });
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(3_000);
            socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
            Await.until("open", Duration.ofSeconds(10), () -> opened.size() == 1);
            SendAllTest.Member member = opened.peek();
            // e.g. a ConcurrentModificationException from the caller's collection after the first session
            Iterable<Session> failing = () -> new Iterator<>() {
                int i;
                public boolean hasNext() { return true; }
                public Session next() {
                    if (i++ == 0) {
                        return member;
                    }
                    throw new java.util.ConcurrentModificationException();
                }
            };
            assertThatThrownBy(() -> Sessions.sendAll(failing, SendAllTest.frame(0)))
                    .isInstanceOf(java.util.ConcurrentModificationException.class);
            assertThat(member.send(SendAllTest.frame(1))).isTrue();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            in.readFully(new byte[2 * (Frames.HEADER_SIZE + 4)]); // SocketTimeoutException: nothing ever drains
        } finally {
            listener.stop();
        }
    }
}
