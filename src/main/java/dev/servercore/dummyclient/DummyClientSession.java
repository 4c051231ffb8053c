package dev.servercore.dummyclient;

/** What the driver asks of a dummy session, framed or raw. */
interface DummyClientSession {

    boolean isWelcomed();

    EchoStream echoes();
}
