package dev.servercore.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECParameterSpec;
import java.time.Duration;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A JCA provider that lets a test see, and hold, the signature a TLS server makes in its handshake: a key store
 * type ({@link #KEY_STORE_TYPE}) that reads a PKCS12 file and hands out its EC keys wrapped, and ECDSA
 * signatures that accept only those keys, note the thread that signs, and wait while the test holds them; the
 * signing itself is the JDK's. In an {@code SSLEngine} that signature is made inside a delegated task
 * ({@code CertificateVerify}), so the thread names the one that ran the task. Other keys are not this
 * provider's, so the rest of the JVM signs as before.
 */
public final class HeldSigning extends Provider implements AutoCloseable {

    public static final String KEY_STORE_TYPE = "HeldPKCS12";
    private static final String NAME = "ServerCoreHeldSigning";
    private static final Duration HOLD_AT_MOST = Duration.ofSeconds(30);

    private final Set<String> signingThreads = ConcurrentHashMap.newKeySet();
    private final Semaphore entered = new Semaphore(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);

    private HeldSigning() {
        super(NAME, "1.0", "ServerCore tests: EC keys whose signatures a test can see and hold");
        putService(new Service(this, "KeyStore", KEY_STORE_TYPE, HeldKeyStore.class.getName(), null, null) {
            @Override
            public Object newInstance(Object parameter) {
                return new HeldKeyStore();
            }
        });
        for (String algorithm : List.of("SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA")) {
            putService(new Service(this, "Signature", algorithm, HeldSignature.class.getName(), null, null) {
                @Override
                public Object newInstance(Object parameter) {
                    return new HeldSignature(algorithm);
                }

                @Override
                public boolean supportsParameter(Object key) {
                    return key instanceof HeldKey;
                }
            });
        }
    }

    /** Installed first among the JVM's providers until {@link #close}. */
    public static HeldSigning install() {
        HeldSigning provider = new HeldSigning();
        Security.insertProviderAt(provider, 1);
        return provider;
    }

    @Override
    public void close() {
        release();
        Security.removeProvider(NAME);
    }

    /** Names of the threads that made a signature so far. */
    public Set<String> signingThreads() {
        return Set.copyOf(signingThreads);
    }

    /** Forgets the signatures made so far (for the next test). */
    public void reset() {
        release();
        signingThreads.clear();
        entered.drainPermits();
    }

    /** From now on, a signature waits (at most 30 s) until {@link #release}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void release() {
        gate.countDown();
    }

    /** Waits until a signature has begun (since the last call), held or not. */
    public boolean awaitSigning(Duration timeout) throws InterruptedException {
        return entered.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** An EC private key of the held key store: the JDK's key inside. */
    static final class HeldKey implements ECPrivateKey {
        private static final long serialVersionUID = 1L;
        private final ECPrivateKey key;

        HeldKey(ECPrivateKey key) {
            this.key = key;
        }

        @Override
        public BigInteger getS() {
            return key.getS();
        }

        @Override
        public ECParameterSpec getParams() {
            return key.getParams();
        }

        @Override
        public String getAlgorithm() {
            return key.getAlgorithm();
        }

        @Override
        public String getFormat() {
            return key.getFormat();
        }

        @Override
        public byte[] getEncoded() {
            return key.getEncoded();
        }
    }

    /** A PKCS12 key store, read by the JDK, whose EC keys come out as {@link HeldKey}s. */
    public static final class HeldKeyStore extends KeyStoreSpi {
        private KeyStore store;

        @Override
        public void engineLoad(InputStream stream, char[] password)
                throws IOException, NoSuchAlgorithmException, CertificateException {
            try {
                store = KeyStore.getInstance("PKCS12");
            } catch (KeyStoreException e) {
                throw new IOException(e);
            }
            store.load(stream, password);
        }

        @Override
        public Key engineGetKey(String alias, char[] password) throws NoSuchAlgorithmException, UnrecoverableKeyException {
            try {
                Key key = store.getKey(alias, password);
                return key instanceof ECPrivateKey ec ? new HeldKey(ec) : key;
            } catch (KeyStoreException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Certificate[] engineGetCertificateChain(String alias) {
            return call(() -> store.getCertificateChain(alias));
        }

        @Override
        public Certificate engineGetCertificate(String alias) {
            return call(() -> store.getCertificate(alias));
        }

        @Override
        public Date engineGetCreationDate(String alias) {
            return call(() -> store.getCreationDate(alias));
        }

        @Override
        public Enumeration<String> engineAliases() {
            return call(store::aliases);
        }

        @Override
        public boolean engineContainsAlias(String alias) {
            return call(() -> store.containsAlias(alias));
        }

        @Override
        public int engineSize() {
            return call(store::size);
        }

        @Override
        public boolean engineIsKeyEntry(String alias) {
            return call(() -> store.isKeyEntry(alias));
        }

        @Override
        public boolean engineIsCertificateEntry(String alias) {
            return call(() -> store.isCertificateEntry(alias));
        }

        @Override
        public String engineGetCertificateAlias(Certificate cert) {
            return call(() -> store.getCertificateAlias(cert));
        }

        @Override
        public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public void engineSetCertificateEntry(String alias, Certificate cert) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public void engineDeleteEntry(String alias) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public void engineStore(OutputStream stream, char[] password) {
            throw new UnsupportedOperationException("read only");
        }

        private interface StoreCall<T> {
            T call() throws KeyStoreException;
        }

        private static <T> T call(StoreCall<T> call) {
            try {
                return call.call();
            } catch (KeyStoreException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** ECDSA with a {@link HeldKey}: the JDK's signature, after the note and the gate. */
    final class HeldSignature extends SignatureSpi {
        private final Signature signature;

        HeldSignature(String algorithm) {
            try {
                signature = Signature.getInstance(algorithm, "SunEC"); // the JDK's own ECDSA
            } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            if (!(privateKey instanceof HeldKey held)) {
                throw new InvalidKeyException("not a held key");
            }
            signature.initSign(held.key);
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            throw new InvalidKeyException("signing only");
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            if (params != null) {
                signature.setParameter(params);
            }
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            signature.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            signature.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            signingThreads.add(Thread.currentThread().getName());
            entered.release();
            try {
                gate.await(HOLD_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return signature.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("signing only");
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new UnsupportedOperationException();
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new UnsupportedOperationException();
        }
    }
}
