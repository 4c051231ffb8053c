package dev.servercore.login;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code servercore.login.*}: whether a listener's clients must log in (PROTOCOL.md v3, "Login"), how long they
 * have, and the default verifier of their credentials, a JWT. Reference: HELP.md, "Security".
 */
@ConfigurationProperties("servercore.login")
@Validated
public final class LoginProperties {

    /** Shortest HMAC secret: HS256's key is 256 bits (RFC 7518, 3.2). */
    static final int MIN_SECRET_BYTES = 32;

    /** The first frame after S_Welcome must be C_Login (or C_Resume); no game packet reaches game code before it. */
    private final boolean required;
    /** How long a client has to log in, from its session's open; then S_Kick(unauthenticated). */
    @NotNull
    private final Duration timeout;
    /** The default verifier: a JWT signed with HS256 under a secret, or with RS256/ES256 under a JWK set. */
    @Valid
    private final Jwt jwt;

    public LoginProperties(@DefaultValue("false") boolean required, @DefaultValue("5s") Duration timeout,
            @DefaultValue Jwt jwt) {
        this.required = required;
        this.timeout = timeout;
        this.jwt = jwt;
    }

    public boolean isRequired() {
        return required;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public Jwt getJwt() {
        return jwt;
    }

    @AssertTrue(message = "servercore.login.timeout must be above 0")
    public boolean isTimeoutValid() {
        return timeout == null || (!timeout.isNegative() && !timeout.isZero());
    }

    /** The JWT verifier's settings: a secret or a JWK set, never both. */
    public static final class Jwt {

        /** HS256 secret (at least 32 bytes of UTF-8); the token's signature must be made with it. */
        private final String hmacSecret;
        /** Where the RS256/ES256 verification keys are (a JWK set, fetched and cached off the event loops). */
        private final String jwkSetUri;
        /** If set, the token's {@code iss} must be exactly this. */
        private final String issuer;
        /** If set, the token's {@code aud} must include this. */
        private final String audience;
        /** How far the clocks of the token's issuer and this gateway may differ, for {@code exp} and {@code nbf}. */
        @NotNull
        private final Duration clockSkew;

        public Jwt(String hmacSecret, String jwkSetUri, String issuer, String audience,
                @DefaultValue("30s") Duration clockSkew) {
            this.hmacSecret = blankToNull(hmacSecret);
            this.jwkSetUri = blankToNull(jwkSetUri);
            this.issuer = blankToNull(issuer);
            this.audience = blankToNull(audience);
            this.clockSkew = clockSkew;
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }

        public String getHmacSecret() {
            return hmacSecret;
        }

        public String getJwkSetUri() {
            return jwkSetUri;
        }

        public String getIssuer() {
            return issuer;
        }

        public String getAudience() {
            return audience;
        }

        public Duration getClockSkew() {
            return clockSkew;
        }

        /** Whether a verifier is configured at all. */
        public boolean isConfigured() {
            return hmacSecret != null || jwkSetUri != null;
        }

        @AssertTrue(message = "servercore.login.jwt.hmac-secret must be at least 32 bytes (HS256 takes a 256-bit key)")
        public boolean isSecretLongEnough() {
            return hmacSecret == null || hmacSecret.getBytes(StandardCharsets.UTF_8).length >= MIN_SECRET_BYTES;
        }

        @AssertTrue(message = "servercore.login.jwt: set hmac-secret or jwk-set-uri, not both")
        public boolean isOneVerifier() {
            return hmacSecret == null || jwkSetUri == null;
        }

        @AssertTrue(message = "servercore.login.jwt.clock-skew must not be negative")
        public boolean isClockSkewValid() {
            return clockSkew == null || !clockSkew.isNegative();
        }
    }
}
