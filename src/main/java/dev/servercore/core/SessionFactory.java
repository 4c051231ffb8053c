package dev.servercore.core;

/** Makes the session of each new connection (the C# ServerCore's {@code Func<Session>}). */
@FunctionalInterface
public interface SessionFactory {

    Session newSession();
}
