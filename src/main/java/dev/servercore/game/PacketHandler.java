package dev.servercore.game;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a Spring bean as the handler of one packet id, like {@code @EventListener} or
 * {@code @MessageMapping}. Its parameters: the session (any {@link dev.servercore.core.Session} type; the
 * one of the connection is cast to it), then optionally the body as a {@link java.nio.ByteBuffer} (valid
 * only during the call), a {@code byte[]} (a copy), or a type with a {@link PacketType} (its {@code TYPE}
 * constant, or a {@code PacketType} bean; see {@link PacketTypes}), decoded from the body. Without an id, the
 * annotation takes the id of that packet type. Handlers are found at startup; two for one id, or parameters
 * that cannot be bound, stop the startup
 * with a message naming the method. A handler runs on the session's event loop: it must not block
 * (HELP.md, "Threads"); game logic that belongs to a room goes through {@link Room#execute}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PacketHandler {

    /** Taken from the handler's packet type: {@link #value()} says none. */
    int FROM_TYPE = -1;

    /** The packet id (0..65535); by default the id of the packet type the handler takes. */
    int value() default FROM_TYPE;
}
