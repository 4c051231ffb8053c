package dev.servercore.dummyclient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.servercore.core.Frames;
import dev.servercore.core.SessionLayer;

/**
 * The dummy client's logins, for load tests only: it mints its own HS256 tokens under the gateway's secret
 * (servercore.dummyclient.login.hmac-secret), a principal per session, unique to this process (so that several
 * dummy clients never displace each other's sessions). A real client gets its token from an identity provider.
 */
final class DummyLogin {

    private static final Duration LIFETIME = Duration.ofHours(1);

    private final MACSigner signer;
    private final String prefix;
    private final AtomicLong sessions = new AtomicLong();

    DummyLogin(String hmacSecret, String principalPrefix) {
        try {
            this.signer = new MACSigner(hmacSecret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalStateException("servercore.dummyclient.login.hmac-secret: " + e.getMessage(), e);
        }
        this.prefix = principalPrefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    /** A C_Login frame with a fresh token for a new principal. */
    byte[] loginFrame() {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(prefix + sessions.incrementAndGet())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(LIFETIME))).build();
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            token.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a dummy client token", e);
        }
        return Frames.encode(SessionLayer.C_LOGIN, token.serialize().getBytes(StandardCharsets.UTF_8));
    }
}
