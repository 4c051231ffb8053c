package dev.servercore.core;

import java.util.concurrent.CompletionStage;

/**
 * Who a client is, from the credential of its {@code C_Login} (PROTOCOL.md v3, "Login"): a bean of the
 * application, or the default JWT verifier ({@code servercore.login.jwt.*}). Called on the session's event
 * loop: work that may block (a database, a remote key set) belongs on an executor of its own, completing the
 * stage from there. The session reads nothing more until the stage completes (bounded by
 * {@code servercore.login.timeout}).
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * @param credential the body of {@code C_Login} (a copy: the method may keep it)
     * @return the principal (not blank, at most 256 bytes of UTF-8), or a stage completed exceptionally when the
     *         credential is refused: a {@link LoginRefusedException}'s message is told to the client
     */
    CompletionStage<String> authenticate(byte[] credential);
}
