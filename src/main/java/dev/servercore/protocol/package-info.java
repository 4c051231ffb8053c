/**
 * The demo game's packets (PROTOCOL.md v2), shared by the server and the dummy client: one record per
 * packet, each with its id, its decoding from a frame's body and its encoding into a whole frame.
 */
package dev.servercore.protocol;
