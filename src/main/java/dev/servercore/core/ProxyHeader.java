package dev.servercore.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads the PROXY protocol v2 header a balancer puts before a connection's first byte (HAProxy's
 * {@code send-proxy-v2}; haproxy.org's proxy-protocol.txt, section 2.2): the 12-byte signature, version 2,
 * the PROXY or LOCAL command, TCP over IPv4 or IPv6, the addresses, then TLVs, which are skipped. The header
 * may come over several reads; the bytes after it are left in the read for the session. Anything else is
 * refused as soon as a byte shows it, and a header longer than {@link #MAX_LENGTH} is refused too.
 */
final class ProxyHeader {

    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int FIXED_LENGTH = 16;
    /** Addresses and the TLVs a balancer adds (HAProxy's largest are a few hundred bytes). */
    static final int MAX_LENGTH = FIXED_LENGTH + 1024;
    private static final int LOCAL = 0x20;
    private static final int PROXY = 0x21;
    private static final int UNSPEC = 0x00;
    private static final int TCP4 = 0x11;
    private static final int TCP6 = 0x21;

    private byte[] header = new byte[FIXED_LENGTH];
    private int received;
    private int length = -1;
    private InetSocketAddress source;

    /**
     * Takes the header's bytes from {@code read} (up to its end, no further).
     *
     * @return true once the whole header has been read
     * @throws ProtocolException if the bytes are not a valid PROXY v2 header of a TCP connection
     */
    boolean take(ByteBuffer read) {
        while (read.hasRemaining() && (length < 0 || received < length)) {
            if (received < FIXED_LENGTH) {
                byte b = read.get();
                if (received < SIGNATURE.length && b != SIGNATURE[received]) {
                    throw new ProtocolException("not a PROXY protocol v2 header");
                }
                header[received++] = b;
                if (received == FIXED_LENGTH) {
                    startBody();
                }
            } else {
                int take = Math.min(length - received, read.remaining());
                read.get(header, received, take);
                received += take;
            }
        }
        if (length < 0 || received < length) {
            return false;
        }
        source = parseSource();
        return true;
    }

    /** The client's address from the header; null when it gives none (LOCAL, or an unspecified family). */
    InetSocketAddress source() {
        return source;
    }

    private void startBody() {
        int command = header[12] & 0xFF;
        if (command != LOCAL && command != PROXY) {
            throw new ProtocolException("PROXY header: version and command 0x" + Integer.toHexString(command)
                    + " (only version 2, LOCAL or PROXY)");
        }
        int bodyLength = (header[14] & 0xFF) << 8 | (header[15] & 0xFF);
        if (FIXED_LENGTH + bodyLength > MAX_LENGTH) {
            throw new ProtocolException("PROXY header of " + (FIXED_LENGTH + bodyLength) + " bytes, over "
                    + MAX_LENGTH);
        }
        if (command == PROXY) {
            int family = header[13] & 0xFF;
            int needed = switch (family) {
                case TCP4 -> 12;
                case TCP6 -> 36;
                case UNSPEC -> 0;
                default -> throw new ProtocolException("PROXY header: family and protocol 0x"
                        + Integer.toHexString(family) + " (only TCP over IPv4 or IPv6)");
            };
            if (bodyLength < needed) {
                throw new ProtocolException("PROXY header: " + bodyLength + " bytes of addresses, " + needed
                        + " needed");
            }
        }
        length = FIXED_LENGTH + bodyLength;
        header = Arrays.copyOf(header, length);
    }

    /** LOCAL (a balancer's own connection, e.g. a health check): the addresses are ignored, as the spec says. */
    private InetSocketAddress parseSource() {
        if ((header[12] & 0xFF) == LOCAL) {
            return null;
        }
        int addressLength = switch (header[13] & 0xFF) {
            case TCP4 -> 4;
            case TCP6 -> 16;
            default -> 0;
        };
        if (addressLength == 0) {
            return null;
        }
        byte[] address = Arrays.copyOfRange(header, FIXED_LENGTH, FIXED_LENGTH + addressLength);
        int portAt = FIXED_LENGTH + 2 * addressLength;
        int port = (header[portAt] & 0xFF) << 8 | (header[portAt + 1] & 0xFF);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port); // IPv4-mapped comes out as IPv4
        } catch (UnknownHostException impossible) { // only for a wrong length
            throw new ProtocolException("PROXY header: bad address");
        }
    }
}
