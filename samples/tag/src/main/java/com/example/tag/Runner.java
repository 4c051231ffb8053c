package com.example.tag;

import dev.servercore.game.HandlerSession;

/**
 * One connected player. Its packets go to the {@code @PacketHandler} methods of {@link TagHandlers}; what it is
 * doing in its arena lives in the arena ({@link Arena}), not here.
 */
public class Runner extends HandlerSession {
}
