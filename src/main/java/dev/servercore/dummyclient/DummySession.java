package dev.servercore.dummyclient;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.servercore.core.CloseReason;
import dev.servercore.core.PacketSession;
import dev.servercore.core.ProtocolException;
import dev.servercore.core.SessionLayer;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.Welcome;

/**
 * The dummy client's session (framed mode), like the C# DummyClient's: it waits for the welcome, then
 * sends echo requests and checks every reply, in order.
 */
final class DummySession extends PacketSession implements DummyClientSession {

    private final LoadReport report;
    private final EchoStream echoes;
    /** Null: no login; else the echoes start once S_LoginOk came. */
    private final DummyLogin login;
    private volatile boolean welcomed;

    DummySession(LoadReport report, DummyClientProperties properties, DummyLogin login) {
        this.report = report;
        this.echoes = new EchoStream(report, properties, id());
        this.login = login;
    }

    private void startEchoes() {
        for (int i = echoes.initialBurst(); i > 0; i--) {
            send(Echo.ID, echoes.nextRequest());
        }
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        if (!welcomed) {
            if (packetId != Welcome.ID || !EchoStream.matches(body, Welcome.TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                report.error();
                throw new ProtocolException("expected S_Welcome first, got packet " + packetId);
            }
            welcomed = true;
            report.welcomed();
            if (login != null) {
                send(login.loginFrame());
            } else {
                startEchoes();
            }
            return;
        }
        switch (packetId) {
            case SessionLayer.S_LOGIN_OK -> startEchoes();
            case Echo.ID -> {
                if (echoes.outstanding() == 0) {
                    report.error();
                    throw new ProtocolException("an echo reply nobody asked for");
                }
                if (echoes.replied(EchoStream.matches(body, echoes.expectedReply()))) {
                    send(Echo.ID, echoes.nextRequest());
                }
            }
            case ChatMessage.ID -> {
                // other players' chat: not ours to check
            }
            case SessionLayer.S_KICK -> {
                // the server's reason for the close that follows; the disconnect is counted then
            }
            default -> report.error();
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
