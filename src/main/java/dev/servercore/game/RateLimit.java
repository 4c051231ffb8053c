package dev.servercore.game;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A budget for one {@link PacketHandler} method, per session: a session may send that packet
 * {@link #perSecond()} times a second, and {@link #burst()} at once above it. A packet over budget is
 * dropped (never handed to the method) and counted in {@code servercore.packets.limited}, tagged by id; the
 * session goes on. The engine's own budget of every packet ({@code servercore.session.rate-limit}) applies
 * before it. Either value may be a {@code ${...}} placeholder of the application's settings.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RateLimit {

    /** Packets per second (above 0; fractions allowed: {@code "0.5"} is one every two seconds). */
    String perSecond();

    /** Packets at once above the rate (at least 1); by default one second's worth (at least 1). */
    String burst() default "";
}
