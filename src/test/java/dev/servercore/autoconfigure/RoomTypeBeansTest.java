package dev.servercore.autoconfigure;

import java.util.List;

import dev.servercore.game.RoomLogic;
import dev.servercore.game.RoomType;
import dev.servercore.game.RoomTypes;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The application's room types, as the auto-configuration reads them from its beans. */
class RoomTypeBeansTest {

    @RoomType(pattern = {"arena-*", "duel"}, tickRate = 10, steady = true)
    static class Arena extends RoomLogic {
    }

    static class Unmarked extends RoomLogic {
    }

    private static DefaultListableBeanFactory beans(Class<?> type, String scope) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        RootBeanDefinition definition = new RootBeanDefinition(type);
        definition.setScope(scope);
        beans.registerBeanDefinition("logic", definition);
        return beans;
    }

    @Test
    void aPrototypeBeanWithRoomTypeIsATypePerPatternThatMakesANewLogicEachTime() {
        RoomTypes types = RoomTypeBeans.of(beans(Arena.class, BeanDefinition.SCOPE_PROTOTYPE));
        List<RoomTypes.Type> all = types.types();
        assertThat(all).extracting(RoomTypes.Type::pattern).containsExactly("arena-*", "duel");
        RoomTypes.Type arena = all.get(0);
        assertThat(arena.logicClass()).isEqualTo(Arena.class);
        assertThat(arena.tickRate()).isEqualTo(10);
        assertThat(arena.steady()).isTrue();
        assertThat(arena.factory().get()).isInstanceOf(Arena.class).isNotSameAs(arena.factory().get());
    }

    @Test
    void aSingletonLogicOrOneWithoutRoomTypeStopsTheStartNamingTheBean() {
        assertThatThrownBy(() -> RoomTypeBeans.of(beans(Arena.class, BeanDefinition.SCOPE_SINGLETON)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'logic' must be prototype-scoped");
        assertThatThrownBy(() -> RoomTypeBeans.of(beans(Unmarked.class, BeanDefinition.SCOPE_PROTOTYPE)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'logic' has no @RoomType");
    }

    @Test
    void noLogicBeansNoTypes() {
        assertThat(RoomTypeBeans.of(new DefaultListableBeanFactory()).types()).isEmpty();
    }
}
