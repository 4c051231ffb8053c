package dev.servercore.testsupport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * A TLS client whose records a test writes itself: an {@link SSLEngine} over a plain blocking socket, so that a
 * ClientHello or an application record can be sent whole, cut, or a byte at a time. Every read is bounded.
 */
public final class EngineClient implements Closeable {

    private final Socket socket;
    private final SSLEngine engine;
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer netIn;
    private final ByteBuffer plainIn;

    private EngineClient(Socket socket, SSLEngine engine) throws IOException {
        this.socket = socket;
        this.engine = engine;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.plainIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    public static EngineClient connect(SSLContext context, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        SSLEngine engine = context.createSSLEngine("127.0.0.1", port);
        engine.setUseClientMode(true);
        return new EngineClient(socket, engine);
    }

    /** The first flight (the ClientHello record), made but not sent. */
    public byte[] clientHello() throws IOException {
        engine.beginHandshake();
        return wrap(ByteBuffer.allocate(0));
    }

    /** The whole handshake, sent as the engine makes it (after {@link #clientHello} the hello must have been sent). */
    public void handshake() throws IOException {
        if (engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
            engine.beginHandshake();
        }
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> write(wrap(ByteBuffer.allocate(0)));
                case NEED_TASK -> {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapSome();
                default -> {
                    return;
                }
            }
        }
    }

    /** {@code plain} as one application record, made but not sent. */
    public byte[] record(byte[] plain) throws IOException {
        return wrap(ByteBuffer.wrap(plain));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** True if the server closes the connection within the timeout (end of stream, reset, or a TLS alert). */
    public boolean closedByPeerWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // records the server sent before closing
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private byte[] wrap(ByteBuffer plain) throws IOException {
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
        do {
            SSLEngineResult result = engine.wrap(plain, records);
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                throw new IOException("wrap: " + result);
            }
        } while (plain.hasRemaining());
        return Arrays.copyOf(records.array(), records.position());
    }

    private void unwrapSome() throws IOException {
        netIn.flip();
        SSLEngineResult result = engine.unwrap(netIn, plainIn.clear());
        netIn.compact();
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            byte[] chunk = new byte[4096];
            int read = in.read(chunk);
            if (read < 0) {
                throw new IOException("closed by the server during the handshake");
            }
            if (netIn.remaining() < read) {
                netIn = ByteBuffer.allocate(netIn.capacity() + read).put(netIn.flip());
            }
            netIn.put(chunk, 0, read);
        } else if (result.getStatus() != SSLEngineResult.Status.OK) {
            throw new IOException("unwrap: " + result);
        }
    }
}
