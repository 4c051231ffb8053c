package dev.servercore.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import dev.servercore.game.Packet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo packets' frames, byte for byte, as the hand-written encoders before the packet types made them
 * (PROTOCOL.md is a contract that tools outside the repository test), and each decodes back to itself.
 */
class WireFormatTest {

    private static void same(Packet packet, String hex) {
        byte[] frame = packet.encode();
        assertThat(HexFormat.of().formatHex(frame)).as(packet.toString()).isEqualTo(hex);
        Object decoded = packet.type().decode(ByteBuffer.wrap(frame, 4, frame.length - 4));
        assertThat(decoded).isEqualTo(packet);
    }

    @Test
    void everyDemoPacketIsEncodedAsBefore() {
        same(new Welcome(Welcome.TEXT), "1d00010057656c636f6d6520746f204d4d4f5250472053657276657221");
        assertThat(HexFormat.of().formatHex(Welcome.FRAME))
                .isEqualTo("1d00010057656c636f6d6520746f204d4d4f5250472053657276657221");
        same(new Echo(new byte[] {0, 1, (byte) 0xFE, (byte) 0xFF}), "080002000001feff");
        same(new ChatRequest("héllo 世界 \uD83C\uDFAE"), "1600030068c3a96c6c6f20e4b896e7958c20f09f8eae");
        same(new ChatMessage(0xFFFF_FFFEL, "héllo"), "0e000400feffffff68c3a96c6c6f");
        assertThat(HexFormat.of().formatHex(ChatMessage.relay(77,
                ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)), 4096))).isEqualTo("0a0004004d0000006869");
        same(new JoinRoom("lobby-1_X"), "0d0005006c6f6262792d315f58");
        same(new JoinedRoom(123456, 7, "lobby"), "1100060040e20100070000006c6f626279");
        same(new Move(-5, Integer.MAX_VALUE), "0c000a00fbffffffffffff7f");
        same(new Moves(List.of(new Moves.Entry(1, 2, -3), new Moves.Entry(0x7FFF_FFFFL, Integer.MIN_VALUE, 0))),
                "1c000b000100000002000000fdffffffffffff7f0000008000000000");
        same(new Moves(List.of()), "04000b00");
    }
}
