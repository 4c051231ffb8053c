package dev.servercore.game;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.function.Function;

/**
 * Finds the {@link PacketType} of a Java type that a {@link PacketHandler} takes: a {@code PacketType<T>} bean
 * if the application declares one, else the type's own {@code public static final PacketType<T> TYPE}. Used at
 * startup only.
 */
public final class PacketTypes {

    /** The field a packet type declares its type in. */
    public static final String FIELD = "TYPE";

    private final Function<Class<?>, PacketType<?>> beans;

    /** @param beans the {@code PacketType<T>} bean of a type, or null where there is none */
    public PacketTypes(Function<Class<?>, PacketType<?>> beans) {
        this.beans = beans;
    }

    /** Only the types' own {@code TYPE} fields. */
    public static PacketTypes declared() {
        return new PacketTypes(type -> null);
    }

    /**
     * The packet type of {@code type}, or null if it has none.
     *
     * @throws IllegalStateException when its {@code TYPE} field is there but not a usable packet type
     */
    public PacketType<?> find(Class<?> type) {
        PacketType<?> bean = beans.apply(type);
        if (bean != null) {
            return bean;
        }
        Field field;
        try {
            field = type.getField(FIELD);
        } catch (NoSuchFieldException e) {
            return null;
        }
        int modifiers = field.getModifiers();
        if (field.getDeclaringClass() != type || field.getType() != PacketType.class || !Modifier.isStatic(modifiers)
                || !Modifier.isFinal(modifiers)) {
            return null;
        }
        Type generic = field.getGenericType();
        if (generic instanceof ParameterizedType parameterized && parameterized.getActualTypeArguments()[0] != type) {
            throw new IllegalStateException(type.getName() + "." + FIELD + " is a PacketType of "
                    + parameterized.getActualTypeArguments()[0].getTypeName() + ", not of " + type.getName());
        }
        PacketType<?> declared;
        try {
            field.setAccessible(true);
            declared = (PacketType<?>) field.get(null);
        } catch (IllegalAccessException | RuntimeException | ExceptionInInitializerError e) {
            throw new IllegalStateException(type.getName() + "." + FIELD + " cannot be read: " + e, e);
        }
        if (declared == null) {
            throw new IllegalStateException(type.getName() + "." + FIELD + " is null");
        }
        return declared;
    }
}
