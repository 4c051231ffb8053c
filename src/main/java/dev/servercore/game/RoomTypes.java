package dev.servercore.game;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Which logic a room gets, by its name: the first {@link Type} whose pattern matches it, else none (a plain room:
 * members, jobs and broadcasts, no logic; a chat relay). Built by the auto-configuration from the application's
 * {@link RoomType} beans, or by hand ({@link #of}).
 */
public final class RoomTypes {

    /** No types: every room is a plain room. */
    public static final RoomTypes NONE = new RoomTypes(List.of());

    /** The type of rooms no pattern matches. */
    static final Type PLAIN = new Type("*", PlainRoom.class, PlainRoom::new, 0, false);

    private final List<Type> types;

    private RoomTypes(List<Type> types) {
        this.types = List.copyOf(types);
    }

    /** These types, the first that matches a name winning. */
    public static RoomTypes of(Type... types) {
        return new RoomTypes(List.of(types));
    }

    public static RoomTypes of(List<Type> types) {
        return new RoomTypes(types);
    }

    public List<Type> types() {
        return types;
    }

    /** The type of the room {@code name}. */
    Type typeOf(String name) {
        for (Type type : types) {
            if (type.matches(name)) {
                return type;
            }
        }
        return PLAIN;
    }

    /**
     * A room type: rooms whose name matches {@code pattern} ({@code *}: any characters) get a new logic from
     * {@code factory} each, of class {@code logicClass}.
     *
     * @param tickRate ticks per second, dividing {@code servercore.rooms.tick-rate}; 0 for that rate
     * @param steady true to tick at every tick of the type while the room has members (see {@link RoomType#steady})
     */
    public record Type(String pattern, Class<? extends RoomLogic> logicClass, Supplier<? extends RoomLogic> factory,
            int tickRate, boolean steady) {

        public Type {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(logicClass, "logicClass");
            Objects.requireNonNull(factory, "factory");
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("The room type " + logicClass.getName() + " has an empty pattern");
            }
            if (tickRate < 0) {
                throw new IllegalArgumentException("The room type " + logicClass.getName()
                        + " has a negative tick rate " + tickRate);
            }
        }

        /** Rooms named {@code pattern} get a new {@code logicClass} each, at the rooms' tick rate, ticked when asked. */
        public static <T extends RoomLogic> Type of(String pattern, Class<T> logicClass, Supplier<T> factory) {
            return new Type(pattern, logicClass, factory, 0, false);
        }

        public Type withTickRate(int ticksPerSecond) {
            return new Type(pattern, logicClass, factory, ticksPerSecond, steady);
        }

        public Type steadily() {
            return new Type(pattern, logicClass, factory, tickRate, true);
        }

        /** Whether {@code name} is the pattern with each {@code *} standing for any characters (none included). */
        boolean matches(String name) {
            return glob(pattern, 0, name, 0);
        }

        private static boolean glob(String pattern, int p, String name, int n) {
            while (p < pattern.length()) {
                char c = pattern.charAt(p);
                if (c == '*') {
                    for (int rest = n; rest <= name.length(); rest++) {
                        if (glob(pattern, p + 1, name, rest)) {
                            return true;
                        }
                    }
                    return false;
                }
                if (n == name.length() || name.charAt(n) != c) {
                    return false;
                }
                p++;
                n++;
            }
            return n == name.length();
        }
    }

    /** The logic of a plain room: none. */
    static final class PlainRoom extends RoomLogic {
    }
}
