package dev.servercore.test;

/** The server kicked the {@link GameClient}: its {@code S_Kick} came while the client awaited something else. */
public class KickedException extends RuntimeException {

    private final GameClient.Kick kick;

    public KickedException(GameClient.Kick kick, int awaitedPacketId) {
        super("kicked (" + (kick.reason() == null ? "code " + kick.code() : kick.reason().tag()) + ": " + kick.text()
                + ") while awaiting packet " + awaitedPacketId);
        this.kick = kick;
    }

    public GameClient.Kick kick() {
        return kick;
    }
}
