/**
 * ServerCore's test kit, shipped with the library: {@link dev.servercore.test.GameClient}, a blocking client that
 * speaks PROTOCOL.md, and {@link dev.servercore.test.LocalGamePort}, the game port of the application under test.
 * It uses only the JDK and the engine's own classes.
 */
package dev.servercore.test;
