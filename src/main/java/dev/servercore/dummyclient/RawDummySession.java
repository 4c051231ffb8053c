package dev.servercore.dummyclient;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.servercore.core.CloseReason;
import dev.servercore.core.ProtocolException;
import dev.servercore.core.Session;
import dev.servercore.protocol.Welcome;

/**
 * The dummy client's session in raw mode: the stream must start with the welcome text, then carry back
 * exactly the bytes sent, in order, however the reads cut them.
 */
final class RawDummySession extends Session implements DummyClientSession {

    private final LoadReport report;
    private final EchoStream echoes;
    private int welcomeMatched;
    private volatile boolean welcomed;
    /** The reply being matched and how much of it has arrived; its event loop only. */
    private byte[] expected;
    private int expectedMatched;
    private boolean replyMatches;

    RawDummySession(LoadReport report, DummyClientProperties properties) {
        this.report = report;
        this.echoes = new EchoStream(report, properties, id());
    }

    @Override
    protected void onRecv(ByteBuffer data) {
        while (data.hasRemaining()) {
            if (!welcomed) {
                if (data.get() != Welcome.TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8)[welcomeMatched++]) {
                    report.error();
                    throw new ProtocolException("the stream does not start with the welcome text");
                }
                if (welcomeMatched == Welcome.TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8).length) {
                    welcomed = true;
                    report.welcomed();
                    for (int i = echoes.initialBurst(); i > 0; i--) {
                        send(echoes.nextRequest());
                    }
                }
                continue;
            }
            if (expected == null) {
                if (echoes.outstanding() == 0) {
                    report.error();
                    throw new ProtocolException("bytes nobody sent came back");
                }
                expected = echoes.expectedReply();
                expectedMatched = 0;
                replyMatches = true;
            }
            int take = Math.min(data.remaining(), expected.length - expectedMatched);
            for (int i = 0; i < take; i++) {
                replyMatches &= data.get() == expected[expectedMatched++];
            }
            if (expectedMatched == expected.length) {
                expected = null;
                if (echoes.replied(replyMatches)) {
                    send(echoes.nextRequest());
                }
            }
        }
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        CloseReason reason = closeReason();
        report.disconnected(reason == CloseReason.SHUTDOWN || reason == CloseReason.LOCAL);
    }

    @Override
    public boolean isWelcomed() {
        return welcomed;
    }

    @Override
    public EchoStream echoes() {
        return echoes;
    }
}
