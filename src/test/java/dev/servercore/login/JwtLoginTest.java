package dev.servercore.login;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.sun.net.httpserver.HttpServer;
import dev.servercore.core.KickReason;
import dev.servercore.core.LoginRefusedException;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.test.GameClient;
import dev.servercore.test.KickedException;
import dev.servercore.test.LocalGamePort;
import dev.servercore.test.PacketTimeoutException;

import static dev.servercore.testsupport.Tokens.claims;
import static dev.servercore.testsupport.Tokens.token;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The demo gateway with login required and the default verifier: HS256 JWTs under the configured secret,
 * through Nimbus JOSE+JWT. A good token logs in and the session is in the lobby; every token that should not
 * pass is {@code S_Kick(unauthenticated)}. The JWK-set verifier takes RS256 and ES256 tokens from a real JWK
 * set served over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1",
        "servercore.login.required=true", "servercore.login.jwt.hmac-secret=" + JwtLoginTest.SECRET})
class JwtLoginTest {

    static final String SECRET = "a-secret-of-the-test-at-least-32-bytes-long";

    @LocalGamePort
    int port;

    static String hs256(JWTClaimsSet claims) throws Exception {
        return token(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
    }

    private static void assertRefused(GameClient client, String token, String why) {
        assertThatThrownBy(() -> client.login(token)).as(why).isInstanceOfSatisfying(KickedException.class,
                kicked -> assertThat(kicked.kick().reason()).as(why).isEqualTo(KickReason.UNAUTHENTICATED));
        assertThat(client.awaitClosed(Duration.ofSeconds(5))).as(why).isTrue();
    }

    @Test
    void aGoodTokenLogsInAndThePlayerIsInTheLobbyOnlyThen() throws Exception {
        try (GameClient alice = GameClient.connect(port)) {
            alice.awaitWelcome();
            GameClient.LoginOk ok = alice.login(hs256(claims("alice").build()));
            assertThat(ok.principal()).isEqualTo("alice");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            ChatMessage echo = null;
            while (echo == null && System.nanoTime() < deadline) { // the lobby's join is a room job: chat until in
                alice.send(new ChatRequest("hi"));
                try {
                    echo = alice.await(ChatMessage.TYPE, Duration.ofMillis(300));
                } catch (PacketTimeoutException notYet) {
                    // not in the lobby yet
                }
            }
            assertThat(echo).isNotNull();
            assertThat(echo.senderSessionId()).isEqualTo(ok.sessionId());
        }
    }

    @Test
    void everyTokenThatShouldNotPassIsKicked() throws Exception {
        Instant now = Instant.now();
        MACSigner wrongSecret = new MACSigner("another-secret-that-is-also-32-bytes-long!".getBytes(StandardCharsets.UTF_8));
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r").generate();
        List<String[]> refused = List.of(
                new String[] {"expired", hs256(claims("bob").expirationTime(Date.from(now.minusSeconds(120))).build())},
                new String[] {"not yet valid", hs256(claims("bob").notBeforeTime(Date.from(now.plusSeconds(120))).build())},
                new String[] {"no exp", hs256(new JWTClaimsSet.Builder().subject("bob").build())},
                new String[] {"no sub", hs256(new JWTClaimsSet.Builder().expirationTime(Date.from(now.plusSeconds(60))).build())},
                new String[] {"wrong secret", token(wrongSecret, JWSAlgorithm.HS256, claims("bob").build())},
                new String[] {"HS512 under the same secret", token(new MACSigner(
                        (SECRET + SECRET).getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS512, claims("bob").build())},
                new String[] {"RS256 where a secret is configured", token(new RSASSASigner(rsa), JWSAlgorithm.RS256,
                        claims("bob").build())},
                new String[] {"alg none", new PlainJWT(claims("bob").build()).serialize()},
                new String[] {"not a JWT", "hello"});
        for (String[] attempt : refused) {
            try (GameClient client = GameClient.connect(port)) {
                assertRefused(client, attempt[1], attempt[0]);
            }
        }
        String good = hs256(claims("bob").build());
        String tampered = good.substring(0, good.lastIndexOf('.') - 2) + "xx" + good.substring(good.lastIndexOf('.'));
        try (GameClient client = GameClient.connect(port)) {
            assertRefused(client, tampered, "a payload changed after signing");
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LoginAutoConfiguration.class,
                    dev.servercore.autoconfigure.ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1");

    @Test
    void aShortSecretOrARequiredLoginWithNoVerifierStopsTheStartup() {
        runner.withPropertyValues("servercore.login.jwt.hmac-secret=too-short").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("at least 32 bytes");
        });
        runner.withPropertyValues("servercore.login.required=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("nothing verifies credentials");
        });
        runner.withPropertyValues("servercore.login.jwt.hmac-secret=" + SECRET,
                "servercore.login.jwt.jwk-set-uri=http://127.0.0.1:1/jwks").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("not both");
                });
    }

    @Test
    void theJwkSetVerifierTakesRs256AndEs256TokensOfItsKeysAndChecksIssuerAndAudience() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, not in the set
        String jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/jwks", exchange -> {
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        ExecutorService verifiers = Executors.newFixedThreadPool(2);
        try {
            LoginProperties.Jwt settings = new LoginProperties.Jwt(null,
                    "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks", "https://login.example", "game",
                    Duration.ofSeconds(30));
            JwtAuthenticator authenticator = JwtAuthenticator.jwkSet(settings, verifiers);
            JWTClaimsSet good = claims("carol").issuer("https://login.example").audience("game").build();
            assertThat(verify(authenticator, token(new RSASSASigner(rsa), JWSAlgorithm.RS256, good))).isEqualTo("carol");
            assertThat(verify(authenticator, token(new ECDSASigner(ec), JWSAlgorithm.ES256, good))).isEqualTo("carol");
            assertThatThrownBy(() -> verify(authenticator, token(new RSASSASigner(stranger), JWSAlgorithm.RS256, good)))
                    .hasRootCauseInstanceOf(LoginRefusedException.class);
            JWTClaimsSet otherIssuer = claims("carol").issuer("https://evil.example").audience("game").build();
            assertThatThrownBy(() -> verify(authenticator, token(new RSASSASigner(rsa), JWSAlgorithm.RS256,
                    otherIssuer))).hasRootCauseInstanceOf(LoginRefusedException.class);
            JWTClaimsSet otherAudience = claims("carol").issuer("https://login.example").audience("web").build();
            assertThatThrownBy(() -> verify(authenticator, token(new RSASSASigner(rsa), JWSAlgorithm.RS256,
                    otherAudience))).hasRootCauseInstanceOf(LoginRefusedException.class);
        } finally {
            verifiers.shutdownNow();
            http.stop(0);
        }
    }

    private static String verify(JwtAuthenticator authenticator, String token) throws Exception {
        return authenticator.authenticate(token.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }
}
