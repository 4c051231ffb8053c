/**
 * The demo game's packets (PROTOCOL.md v2), shared by the server and the dummy client: one record per
 * packet, each declaring its {@link dev.servercore.game.PacketType} once ({@code TYPE}: its id, how its body
 * is read and written).
 */
package dev.servercore.protocol;
