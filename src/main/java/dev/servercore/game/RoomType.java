package dev.servercore.game;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a prototype-scoped {@link RoomLogic} bean (its class or its {@code @Bean} method) the type of the rooms whose
 * names match {@link #pattern()}: each such room gets a new instance of the bean. The server decides a room's type
 * from its name, never the client. Rooms no type matches are plain rooms (no logic). Where several patterns match,
 * the first declared wins.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RoomType {

    /** Room names of this type: the name itself, or with {@code *} standing for any characters ({@code arena-*}). */
    String[] pattern();

    /**
     * Ticks per second of these rooms; 0 (the default): {@code servercore.rooms.tick-rate}. It must divide
     * {@code servercore.rooms.tick-rate} (every room ticks on the rooms' one clock: a type at half the rate
     * ticks every second tick).
     */
    int tickRate() default 0;

    /**
     * True: {@code onTick} runs at every tick of the type while the room has members (a game loop), whether or not
     * anything asked for it. False (the default): only when a broadcast waits for the tick or something asked
     * ({@link Room#requestTick()}): an idle room costs nothing.
     */
    boolean steady() default false;
}
