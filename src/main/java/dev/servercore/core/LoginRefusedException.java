package dev.servercore.core;

/** An {@link Authenticator}'s refusal; its message goes to the client in {@code S_Kick(unauthenticated)}. */
public class LoginRefusedException extends RuntimeException {

    public LoginRefusedException(String message) {
        super(message, null, false, false);
    }
}
