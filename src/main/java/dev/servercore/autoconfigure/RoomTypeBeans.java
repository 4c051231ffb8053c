package dev.servercore.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.servercore.game.RoomLogic;
import dev.servercore.game.RoomType;
import dev.servercore.game.RoomTypes;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The application's room types: its {@link RoomLogic} beans, each prototype-scoped and annotated {@link RoomType},
 * in the order they are declared. Read from the bean definitions, so that no logic is made before its room.
 */
final class RoomTypeBeans {

    private RoomTypeBeans() {
    }

    static RoomTypes of(ConfigurableListableBeanFactory beans) {
        List<RoomTypes.Type> types = new ArrayList<>();
        for (String name : beans.getBeanNamesForType(RoomLogic.class, true, false)) {
            RoomType annotation = beans.findAnnotationOnBean(name, RoomType.class);
            if (annotation == null) {
                throw new IllegalStateException("The RoomLogic bean '" + name + "' has no @RoomType: say which rooms "
                        + "it runs (@RoomType(pattern = \"arena-*\"))");
            }
            if (!beans.isPrototype(name)) {
                throw new IllegalStateException("The RoomLogic bean '" + name + "' must be prototype-scoped "
                        + "(@Scope(\"prototype\")): each room needs a logic of its own");
            }
            Class<? extends RoomLogic> logicClass = beans.getType(name).asSubclass(RoomLogic.class);
            for (String pattern : annotation.pattern()) {
                types.add(new RoomTypes.Type(pattern, logicClass, () -> beans.getBean(name, RoomLogic.class),
                        annotation.tickRate(), annotation.steady()));
            }
        }
        return RoomTypes.of(types);
    }
}
