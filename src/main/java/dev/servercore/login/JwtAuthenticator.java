package dev.servercore.login;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.servercore.core.Authenticator;
import dev.servercore.core.LoginRefusedException;

/**
 * The default {@link Authenticator}: the credential is a JWT (RFC 7519), verified by Nimbus JOSE+JWT (the
 * library Spring Security verifies JWTs with): signed with HS256 under a secret, or with RS256 or ES256 under a
 * key of a JWK set; {@code sub} is the principal; {@code exp} is required and enforced, {@code nbf} honoured
 * (within the clock skew); {@code iss} and {@code aud} checked when configured. Unsigned tokens and any other
 * algorithm are refused. A secret's tokens are verified at once, on the caller's thread (microseconds); a JWK
 * set's on the given executor, since fetching the set may block.
 */
public final class JwtAuthenticator implements Authenticator {

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Executor executor;

    private JwtAuthenticator(JWSVerificationKeySelector<SecurityContext> keys, LoginProperties.Jwt settings,
            Executor executor) {
        this.executor = executor;
        processor.setJWSKeySelector(keys);
        Set<String> required = new HashSet<>(Set.of("sub", "exp"));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (settings.getIssuer() != null) {
            exact.issuer(settings.getIssuer());
            required.add("iss");
        }
        Set<String> audiences = null;
        if (settings.getAudience() != null) {
            audiences = Set.of(settings.getAudience());
            required.add("aud");
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audiences, exact.build(),
                required, null);
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.getClockSkew().toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** HS256 tokens under {@code settings.hmac-secret}, verified on the caller's thread. */
    public static JwtAuthenticator hmac(LoginProperties.Jwt settings) {
        byte[] secret = settings.getHmacSecret().getBytes(StandardCharsets.UTF_8);
        if (secret.length < LoginProperties.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("servercore.login.jwt.hmac-secret must be at least "
                    + LoginProperties.MIN_SECRET_BYTES + " bytes");
        }
        JWKSource<SecurityContext> key = new ImmutableSecret<>(secret);
        return new JwtAuthenticator(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, key), settings, null);
    }

    /** RS256 and ES256 tokens under the keys of {@code settings.jwk-set-uri}, verified on {@code executor}. */
    public static JwtAuthenticator jwkSet(LoginProperties.Jwt settings, Executor executor) {
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(URI.create(settings.getJwkSetUri()).toURL()).retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("servercore.login.jwt.jwk-set-uri is not a URL: "
                    + settings.getJwkSetUri(), e);
        }
        return new JwtAuthenticator(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                keys), settings, executor);
    }

    @Override
    public CompletionStage<String> authenticate(byte[] credential) {
        if (executor == null) {
            try {
                return CompletableFuture.completedFuture(verify(credential));
            } catch (LoginRefusedException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> verify(credential), executor);
        } catch (RejectedExecutionException busy) {
            return CompletableFuture.failedFuture(new LoginRefusedException("the gateway is too busy to log you in"));
        }
    }

    /** The token's subject; a token that does not pass is a {@link LoginRefusedException}. */
    String verify(byte[] credential) {
        String token;
        try {
            token = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(credential)).toString();
        } catch (CharacterCodingException e) {
            throw new LoginRefusedException("the credential is not UTF-8");
        }
        try {
            return processor.process(token.trim(), null).getSubject();
        } catch (ParseException e) {
            throw new LoginRefusedException("the credential is not a JWT");
        } catch (BadJOSEException e) {
            throw new LoginRefusedException("the token was refused: " + e.getMessage());
        } catch (JOSEException e) {
            throw new LoginRefusedException("the token could not be verified");
        }
    }
}
