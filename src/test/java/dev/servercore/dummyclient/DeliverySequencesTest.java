package dev.servercore.dummyclient;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a receiver tells lost, duplicated and out-of-order deliveries from the sequence numbers in the payloads. */
class DeliverySequencesTest {

    @Test
    void chatsMustArriveOnceEachInOrder() {
        ChatSequences chats = new ChatSequences();
        assertThat(chats.received(0, 0)).isEqualTo(ChatSequences.Outcome.IN_ORDER);
        assertThat(chats.received(0, 1)).isEqualTo(ChatSequences.Outcome.IN_ORDER);
        assertThat(chats.received(0, 1)).isEqualTo(ChatSequences.Outcome.DUPLICATE);
        assertThat(chats.received(0, 4)).isEqualTo(ChatSequences.Outcome.IN_ORDER); // 2 and 3 are missing
        assertThat(chats.lost(0, 5)).isEqualTo(2);
        assertThat(chats.received(0, 3)).isEqualTo(ChatSequences.Outcome.OUT_OF_ORDER);
        assertThat(chats.received(0, 3)).isEqualTo(ChatSequences.Outcome.DUPLICATE);
        assertThat(chats.lost(0, 5)).isEqualTo(1);
        assertThat(chats.lost(0, 7)).as("two more sent, not arrived").isEqualTo(3);
        assertThat(chats.lost(0, -1)).as("a lost sender: only the gaps").isEqualTo(1);
        assertThat(chats.describeLost(0, 7, 10)).isEqualTo("2,5..6");
        assertThat(chats.describeLost(0, 6, 10)).isEqualTo("2,5");
        assertThat(chats.describeLost(0, -1, 10)).isEqualTo("2");
    }

    @Test
    void sendersAreTrackedApartAndOneNeverHeardOfHasLostAllItSent() {
        ChatSequences chats = new ChatSequences();
        chats.received(20, 0);
        assertThat(chats.lost(20, 1)).isZero();
        assertThat(chats.lost(3, 2)).isEqualTo(2);
        assertThat(chats.lost(50, 4)).isEqualTo(4);
        assertThat(chats.lost(50, 0)).isZero();
    }

    @Test
    void movesMaySkipButNeverRepeatOrGoBack() {
        MoveSequences moves = new MoveSequences();
        assertThat(moves.last(9)).isEqualTo(-1);
        assertThat(moves.seen(9, 0)).isEqualTo(MoveSequences.Outcome.NEWER);
        assertThat(moves.seen(9, 5)).isEqualTo(MoveSequences.Outcome.NEWER);
        assertThat(moves.seen(9, 5)).isEqualTo(MoveSequences.Outcome.DUPLICATE);
        assertThat(moves.seen(9, 3)).isEqualTo(MoveSequences.Outcome.OUT_OF_ORDER);
        assertThat(moves.last(9)).isEqualTo(5);
        assertThat(moves.seen(1, 0)).isEqualTo(MoveSequences.Outcome.NEWER);
    }
}
