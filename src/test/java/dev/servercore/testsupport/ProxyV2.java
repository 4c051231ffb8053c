package dev.servercore.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * PROXY protocol v2 headers as a balancer sends them (haproxy.org's proxy-protocol.txt, section 2.2), written
 * out byte by byte for tests, independent of the engine's reader.
 */
public final class ProxyV2 {

    public static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyV2() {
    }

    /** PROXY, TCP over IPv4 or IPv6 (by the source's family), then {@code tlvBytes} of a NOOP TLV if above 0. */
    public static byte[] proxy(InetSocketAddress source, InetSocketAddress destination, int tlvBytes) {
        byte[] src = source.getAddress().getAddress();
        byte[] dst = destination.getAddress().getAddress();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(src);
        body.writeBytes(dst);
        writeU16(body, source.getPort());
        writeU16(body, destination.getPort());
        if (tlvBytes > 0) {
            body.write(0x04); // PP2_TYPE_NOOP
            writeU16(body, tlvBytes - 3);
            body.writeBytes(new byte[tlvBytes - 3]);
        }
        return header(0x21, src.length == 4 ? 0x11 : 0x21, body.toByteArray());
    }

    public static byte[] proxy(String sourceAddress, int sourcePort) throws Exception {
        return proxy(new InetSocketAddress(InetAddress.getByName(sourceAddress), sourcePort),
                new InetSocketAddress(InetAddress.getByName(sourceAddress.contains(":") ? "::1" : "127.0.0.1"), 7777), 0);
    }

    /** LOCAL (a balancer's own connection), with no addresses. */
    public static byte[] local() {
        return header(0x20, 0x00, new byte[0]);
    }

    /** Any version/command and family bytes, and a body. */
    public static byte[] header(int versionAndCommand, int family, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.write(versionAndCommand);
        out.write(family);
        writeU16(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void writeU16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value & 0xFF);
    }
}
