package dev.servercore.game;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which type a room name gets: the first pattern that matches, else a plain room. */
class RoomTypesPatternTest {

    static class Arena extends RoomLogic {
    }

    static class Town extends RoomLogic {
    }

    @Test
    void aStarStandsForAnyCharactersAndTheFirstMatchWins() {
        RoomTypes types = RoomTypes.of(RoomTypes.Type.of("town", Town.class, Town::new),
                RoomTypes.Type.of("arena-*", Arena.class, Arena::new),
                RoomTypes.Type.of("*-arena-*", Town.class, Town::new));
        assertThat(types.typeOf("town").logicClass()).isEqualTo(Town.class);
        assertThat(types.typeOf("arena-").logicClass()).isEqualTo(Arena.class);
        assertThat(types.typeOf("arena-7").logicClass()).isEqualTo(Arena.class);
        assertThat(types.typeOf("big-arena-7").logicClass()).isEqualTo(Town.class);
        assertThat(types.typeOf("towns")).isSameAs(RoomTypes.PLAIN);
        assertThat(types.typeOf("xarena-7")).isSameAs(RoomTypes.PLAIN);
        assertThat(types.typeOf("a.b")).isSameAs(RoomTypes.PLAIN);
        assertThat(RoomTypes.of(RoomTypes.Type.of("a.*", Town.class, Town::new)).typeOf("abc"))
                .as("no regular expression").isSameAs(RoomTypes.PLAIN);
        assertThat(RoomTypes.NONE.typeOf("anything")).isSameAs(RoomTypes.PLAIN);
        assertThat(RoomTypes.of(RoomTypes.Type.of("*", Town.class, Town::new)).typeOf("").logicClass())
                .isEqualTo(Town.class);
    }
}
