package dev.servercore.dummyclient;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import dev.servercore.core.Frames;
import dev.servercore.core.SessionLayer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's resume bookkeeping: numbering both ways, acks that trim what is kept, the resend after S_Resumed. */
class ResumeLedgerTest {

    private static byte[] frame(int n) {
        return Frames.encode(3, new byte[] {(byte) n});
    }

    private static long u64At(byte[] frame, int offset) {
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
    }

    @Test
    void sentFramesAreNumberedFromOneAndKeptUntilAnAckCoversThem() {
        ResumeLedger ledger = new ResumeLedger();
        for (int i = 1; i <= 5; i++) {
            assertThat(ledger.sending(frame(i))).isEqualTo(i);
        }
        assertThat(ledger.keptCount()).isEqualTo(5);
        ledger.acked(3);
        assertThat(ledger.keptCount()).isEqualTo(2);
        assertThat(ledger.firstKept()).isEqualTo(4);
        ledger.acked(2); // an older ack, arriving late, changes nothing
        assertThat(ledger.keptCount()).isEqualTo(2);
        ledger.acked(5);
        assertThat(ledger.keptCount()).isZero();
        assertThat(ledger.firstKept()).isEqualTo(6);
        assertThatThrownBy(() -> ledger.acked(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterAResumeTheFramesPastTheServersCountAreSentAgainInOrder() {
        ResumeLedger ledger = new ResumeLedger();
        for (int i = 1; i <= 6; i++) {
            ledger.sending(frame(i));
        }
        ledger.acked(2);
        List<byte[]> again = ledger.resendAfter(4);
        assertThat(again).containsExactly(frame(5), frame(6));
        assertThat(ledger.keptCount()).as("still kept until acknowledged").isEqualTo(2);
        assertThat(ledger.resendAfter(6)).isEmpty();
    }

    @Test
    void aServerCountBelowWhatWasForgottenOrAboveWhatWasSentIsRefused() {
        ResumeLedger ledger = new ResumeLedger();
        for (int i = 1; i <= 4; i++) {
            ledger.sending(frame(i));
        }
        ledger.acked(3);
        assertThatThrownBy(() -> ledger.resendAfter(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.resendAfter(5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ledger.resendAfter(2 + 1)).containsExactly(frame(4));
    }

    @Test
    void receivedFramesAreCountedAndAnAckIsDueAfterEvery256() {
        ResumeLedger ledger = new ResumeLedger();
        assertThat(ledger.unacked()).isFalse();
        for (int i = 1; i < ResumeLedger.ACK_EVERY; i++) {
            ledger.frameReceived();
            assertThat(ledger.ackDue()).isFalse();
        }
        assertThat(ledger.unacked()).isTrue();
        assertThat(ledger.frameReceived()).isEqualTo(256);
        assertThat(ledger.ackDue()).isTrue();
        byte[] ack = ledger.ackFrame();
        assertThat(Frames.getUInt16(ack, 0)).isEqualTo(12);
        assertThat(Frames.getUInt16(ack, 2)).isEqualTo(SessionLayer.C_ACK);
        assertThat(u64At(ack, 4)).isEqualTo(256);
        assertThat(ledger.ackDue()).isFalse();
        assertThat(ledger.unacked()).isFalse();
    }

    @Test
    void theResumeFrameCarriesTheTokenThenTheCountReceived() {
        ResumeLedger ledger = new ResumeLedger();
        for (int i = 0; i < 70_000; i++) {
            ledger.frameReceived();
        }
        byte[] token = new byte[16];
        for (int i = 0; i < token.length; i++) {
            token[i] = (byte) (i + 1);
        }
        byte[] resume = ledger.resumeFrame(token);
        assertThat(Frames.getUInt16(resume, 0)).isEqualTo(4 + 16 + 8);
        assertThat(Frames.getUInt16(resume, 2)).isEqualTo(SessionLayer.C_RESUME);
        assertThat(java.util.Arrays.copyOfRange(resume, 4, 20)).isEqualTo(token);
        assertThat(u64At(resume, 20)).isEqualTo(70_000);
    }
}
