package dev.servercore.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.servercore.core.Session;
import dev.servercore.protocol.Welcome;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The demo server's session in raw mode: the welcome text without a header, then every read echoed. */
public class RawGameSession extends Session {

    private static final Log log = LogFactory.getLog(RawGameSession.class);
    private static final byte[] WELCOME = Welcome.TEXT.getBytes(StandardCharsets.UTF_8);

    @Override
    protected void onConnected(InetSocketAddress endpoint) {
        if (log.isDebugEnabled()) { // not INFO: a line per connect, on the loop, is a peer's to provoke
            log.debug("Session " + id() + " connected (raw): " + endpoint);
        }
        send(WELCOME);
    }

    @Override
    protected void onRecv(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        send(copy);
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        if (log.isDebugEnabled()) {
            log.debug("Session " + id() + " disconnected: " + endpoint + " (" + closeReason().tag() + ")");
        }
    }
}
