package dev.servercore.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.servercore.testsupport.ProxyV2;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PROXY v2 reader on its own, fed every way a header can be cut. */
class ProxyHeaderTest {

    @Test
    void aHeaderCutAtEveryPointIsReadWholeAndTheBytesAfterItAreLeft() throws Exception {
        InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("2001:db8::99"), 61000);
        byte[] header = ProxyV2.proxy(client, new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 7777), 30);
        byte[] after = {7, 0, 1, 0, 42, 43, 44};
        byte[] stream = ProxyProtocolTest.concat(header, after);
        for (int cut = 0; cut <= stream.length; cut++) {
            ProxyHeader reader = new ProxyHeader();
            ByteBuffer first = ByteBuffer.wrap(stream, 0, cut);
            ByteBuffer rest = ByteBuffer.wrap(stream, cut, stream.length - cut);
            boolean done = reader.take(first);
            assertThat(done).as("cut at %d", cut).isEqualTo(cut >= header.length);
            if (!done) {
                assertThat(first.hasRemaining()).isFalse();
                assertThat(reader.take(rest)).isTrue();
            }
            ByteBuffer left = ByteBuffer.allocate(stream.length).put(first).put(rest).flip();
            byte[] remaining = new byte[left.remaining()];
            left.get(remaining);
            assertThat(remaining).as("cut at %d", cut).containsExactly(after);
            assertThat(reader.source()).isEqualTo(client);
        }
    }

    @Test
    void localAndUnspecifiedGiveNoAddressAndAnythingElseIsRefused() throws Exception {
        ProxyHeader local = new ProxyHeader();
        assertThat(local.take(ByteBuffer.wrap(ProxyV2.header(0x20, 0x11, new byte[12])))).isTrue();
        assertThat(local.source()).as("LOCAL ignores the addresses").isNull();
        ProxyHeader unspec = new ProxyHeader();
        assertThat(unspec.take(ByteBuffer.wrap(ProxyV2.header(0x21, 0x00, new byte[0])))).isTrue();
        assertThat(unspec.source()).isNull();

        byte[][] refused = {
                ProxyV2.header(0x22, 0x11, new byte[12]),                 // an unassigned command
                ProxyV2.header(0x11, 0x11, new byte[12]),                 // version 1
                ProxyV2.header(0x21, 0x31, new byte[216]),                // a unix socket
                ProxyV2.header(0x21, 0x21, new byte[12]),                 // IPv6 without room for its addresses
                ProxyV2.header(0x21, 0x11, new byte[ProxyHeader.MAX_LENGTH]),
                "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n".getBytes(),
        };
        for (byte[] header : refused) {
            assertThatThrownBy(() -> new ProxyHeader().take(ByteBuffer.wrap(header))).isInstanceOf(ProtocolException.class);
        }
        ProxyHeader early = new ProxyHeader();
        assertThatThrownBy(() -> early.take(ByteBuffer.wrap(new byte[] {0x0D, 0x0A, 0x16})))
                .as("refused at the first byte that is not the signature's").isInstanceOf(ProtocolException.class);
    }
}
