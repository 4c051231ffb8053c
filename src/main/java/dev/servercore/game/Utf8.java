package dev.servercore.game;

import java.nio.ByteBuffer;

/**
 * Strict UTF-8 (RFC 3629), checked in place: no overlong forms, no surrogates, nothing above U+10FFFF, no
 * sequence cut short. The same text {@code CharsetDecoder} with {@code REPORT} accepts, without decoding it.
 */
public final class Utf8 {

    private Utf8() {
    }

    /** Whether the bytes from the buffer's position to its limit are UTF-8; the buffer is not moved. */
    public static boolean isValid(ByteBuffer text) {
        return isValid(text, text.position(), text.limit());
    }

    /** Whether the bytes of {@code text} from index {@code at} (included) to {@code end} (excluded) are UTF-8. */
    public static boolean isValid(ByteBuffer text, int at, int end) {
        while (at < end) {
            int lead = text.get(at) & 0xFF;
            if (lead < 0x80) {
                at++;
                continue;
            }
            int length;
            int low = 0x80; // the range of the second byte, narrower after some leads
            int high = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                length = 2;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                length = 3;
                if (lead == 0xE0) {
                    low = 0xA0; // below: an overlong form
                } else if (lead == 0xED) {
                    high = 0x9F; // above: a surrogate
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                length = 4;
                if (lead == 0xF0) {
                    low = 0x90; // below: an overlong form
                } else if (lead == 0xF4) {
                    high = 0x8F; // above: past U+10FFFF
                }
            } else {
                return false; // a continuation byte first, an overlong 2-byte lead, or past U+10FFFF
            }
            if (end - at < length) {
                return false;
            }
            int second = text.get(at + 1) & 0xFF;
            if (second < low || second > high) {
                return false;
            }
            for (int i = 2; i < length; i++) {
                if ((text.get(at + i) & 0xC0) != 0x80) {
                    return false;
                }
            }
            at += length;
        }
        return true;
    }
}
