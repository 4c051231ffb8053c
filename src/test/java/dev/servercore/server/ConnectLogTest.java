package dev.servercore.server;

import java.time.Duration;

import dev.servercore.core.Listener;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Connects and disconnects are a peer's to make as often as it likes: the demo server writes no line for each. */
@LoopbackServerTest
@ExtendWith(OutputCaptureExtension.class)
class ConnectLogTest {

    @Autowired
    Listener listener;

    @Test
    void aConnectChurnWritesNoLinePerConnectOrDisconnect(CapturedOutput output) throws Exception {
        int before = output.getOut().length();
        for (int i = 0; i < 200; i++) {
            try (FrameClient client = FrameClient.connect(listener.port())) {
                assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            }
        }
        Await.until("every session closed", Duration.ofSeconds(10), () -> listener.sessions().count() == 0);
        long lines = output.getOut().substring(before).lines()
                .filter(line -> line.contains("GameSession") || line.contains(" connected") || line.contains("disconnected"))
                .count();
        assertThat(lines).as("log lines of 200 connects and disconnects").isZero();
    }
}
