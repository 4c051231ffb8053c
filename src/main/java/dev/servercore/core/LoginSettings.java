package dev.servercore.core;

import java.time.Duration;

/**
 * How a listener's sessions log in (PROTOCOL.md v3, "Login").
 *
 * @param required whether the first frame after S_Welcome must be C_Login (or C_Resume), within {@code timeout}
 * @param timeout how long a session may take to log in, from its connect
 * @param authenticator who verifies credentials; null: none (C_Login is refused)
 * @param directory the cluster's record of who is logged in where; null: this node only
 */
public record LoginSettings(boolean required, Duration timeout, Authenticator authenticator,
        LoginDirectory directory) {

    public LoginSettings {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the login timeout must be above 0");
        }
        if (required && authenticator == null) {
            throw new IllegalArgumentException("login is required but nothing verifies credentials: set "
                    + "servercore.login.jwt.hmac-secret or servercore.login.jwt.jwk-set-uri, or declare an Authenticator bean");
        }
    }

    /** No login required; a C_Login is refused. */
    public static LoginSettings none() {
        return new LoginSettings(false, Duration.ofSeconds(5), null, null);
    }
}
