package com.example.tag;

import dev.servercore.dummyclient.DummyClient;
import dev.servercore.test.LocalGamePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The game's jar is its own load test: with the dummyclient profile, its bots play against this server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1"})
@ExtendWith(OutputCaptureExtension.class)
class TagBotsTest {

    @LocalGamePort
    int port;

    @Test
    void sixBotsPlayForTwoSecondsAndTheRunPasses(CapturedOutput output) {
        int exitCode;
        try (ConfigurableApplicationContext bots = new SpringApplicationBuilder(TagApplication.class)
                .profiles("dummyclient").web(WebApplicationType.NONE).run("--servercore.connector.host=127.0.0.1",
                        "--servercore.connector.port=" + port, "--servercore.dummyclient.sessions=6",
                        "--servercore.dummyclient.duration=2s", "--servercore.dummyclient.exit-when-done=false")) {
            exitCode = bots.getBean(DummyClient.class).getExitCode();
        }
        String summary = output.getOut().lines().filter(l -> l.contains("Dummy client summary:")).reduce((a, b) -> b)
                .orElseThrow();
        assertThat(exitCode).as(summary).isZero();
        assertThat(summary).contains("connected=6", "joined=6", "errors=0", "result=OK").containsPattern(
                "ticks_seen=\\d{2,}");
    }
}
