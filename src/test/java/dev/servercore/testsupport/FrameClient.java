package dev.servercore.testsupport;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import dev.servercore.core.Frames;

/**
 * A plain blocking socket client that speaks PROTOCOL.md byte by byte, independent of the engine, so a
 * test sees exactly what crossed the wire. Every read is bounded by a timeout.
 */
public final class FrameClient implements Closeable {

    public record Frame(int packetId, byte[] body) {
        public int size() {
            return Frames.HEADER_SIZE + body.length;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long bytesWritten;
    private long bytesRead;

    private FrameClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static FrameClient connect(int port) throws IOException {
        return connectFrom(null, port);
    }

    /**
     * From a source address of the test's choosing: Linux routes all of 127/8 to the loopback interface, so
     * {@code 127.0.0.2} and the like play other hosts.
     */
    public static FrameClient connectFrom(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new FrameClient(socket);
    }

    public static byte[] frame(int packetId, byte[] body) {
        return Frames.encode(packetId, body);
    }

    public void sendFrame(int packetId, byte[] body) throws IOException {
        write(frame(packetId, body));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        bytesWritten += bytes.length;
    }

    public Frame readFrame() throws IOException {
        int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
        int packetId = in.readUnsignedByte() | in.readUnsignedByte() << 8;
        byte[] body = new byte[size - Frames.HEADER_SIZE];
        in.readFully(body);
        bytesRead += size;
        return new Frame(packetId, body);
    }

    public byte[] readExactly(int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        bytesRead += length;
        return bytes;
    }

    /** True if the server closes the connection within the timeout (end of stream or reset). */
    public boolean closedByPeerWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long bytesRead() {
        return bytesRead;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
