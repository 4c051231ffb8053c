package dev.servercore.server;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import dev.servercore.core.Listener;
import dev.servercore.testsupport.FrameClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Raw mode (PROTOCOL.md): no framing; the welcome text without a header, then every byte echoed. */
@SpringBootTest(properties = {"servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1",
        "servercore.listener.mode=raw", "management.server.port=0"})
class RawModeTest {

    @Autowired
    Listener listener;

    @Test
    void aPlainSocketGetsTheWelcomeTextThenItsOwnBytesBack() throws Exception {
        try (FrameClient client = FrameClient.connect(listener.port())) {
            assertThat(new String(client.readExactly(25), StandardCharsets.UTF_8)).isEqualTo("Welcome to MMORPG Server!");

            client.write("hello\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(client.readExactly(6), StandardCharsets.UTF_8)).isEqualTo("hello\n");

            // bytes that would be a bad frame in framed mode are just bytes here
            byte[] noise = new byte[10_000];
            new Random(1).nextBytes(noise);
            noise[0] = 1;
            noise[1] = 0;
            client.write(noise);
            assertThat(client.readExactly(noise.length)).isEqualTo(noise);
        }
    }
}
