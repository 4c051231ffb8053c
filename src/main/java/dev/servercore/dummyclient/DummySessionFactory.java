package dev.servercore.dummyclient;

import dev.servercore.core.Session;

/**
 * Where the dummy client's sessions come from, as the C# DummyClient's {@code Func<Session>}: declare a bean of
 * this type (under the {@code dummyclient} profile) to load-test your own game with your own client sessions,
 * e.g. {@code beans.getBean(Bot.class)} of a prototype-scoped {@code Bot} bean. Without one, the dummy client
 * makes the demo protocol's sessions ({@code servercore.dummyclient.scenario}). Called once per connection, from
 * the connector's threads.
 */
@FunctionalInterface
public interface DummySessionFactory {

    Session newSession();
}
