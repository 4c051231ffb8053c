package dev.servercore.testsupport;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A self-signed EC certificate for localhost and 127.0.0.1, made by the JDK's keytool, in a PKCS12 store. */
public final class TestCertificate {

    public static final String PASSWORD = "secret";

    private TestCertificate() {
    }

    /** {@code servercore.p12} in {@code dir}: its key under the alias {@code servercore}, password {@link #PASSWORD}. */
    public static Path create(Path dir) throws Exception {
        Path keyStore = dir.resolve("servercore.p12");
        Process keytool = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "servercore", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD)).redirectErrorStream(true).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(keytool.getInputStream().readAllBytes()));
        }
        return keyStore;
    }

    /** A client's TLS 1.3 context that trusts the certificate in {@code keyStore}. */
    public static SSLContext trusting(Path keyStore) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(null, trustManagers.getTrustManagers(), null);
        return tls;
    }
}
