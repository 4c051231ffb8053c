package dev.servercore.game;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.servercore.testsupport.RandomTrials;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay's UTF-8 check accepts exactly what the JDK's strict decoder accepts (which decodes S_Chat). */
class Utf8Test {

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytesAndText() throws Exception {
        RandomTrials.run(20_000, random -> {
            byte[] bytes = new byte[random.nextInt(12)];
            if (random.nextBoolean()) {
                random.nextBytes(bytes);
            } else { // near-valid: real text with one byte changed, dropped or cut off
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(6); i > 0; i--) {
                    text.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(0x110000));
                }
                bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                if (bytes.length > 0 && random.nextBoolean()) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            assertThat(Utf8.isValid(buffer)).as("bytes %s", java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(jdkAccepts(bytes));
            assertThat(buffer.position()).isZero();
        });
    }

    @Test
    void theEdgesOfEachForm() {
        byte[][] valid = {{0x7F}, {(byte) 0xC2, (byte) 0x80}, {(byte) 0xE0, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}};
        byte[][] invalid = {{(byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80,
                (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xFF}};
        for (byte[] bytes : valid) {
            assertThat(Utf8.isValid(ByteBuffer.wrap(bytes))).isTrue();
        }
        for (byte[] bytes : invalid) {
            assertThat(Utf8.isValid(ByteBuffer.wrap(bytes))).isFalse();
        }
        ByteBuffer window = ByteBuffer.wrap(new byte[] {(byte) 0xFF, 'o', 'k', (byte) 0xFF}, 1, 2);
        assertThat(Utf8.isValid(window)).as("only position..limit counts").isTrue();
    }
}
