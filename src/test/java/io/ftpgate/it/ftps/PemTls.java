package io.ftpgate.it.ftps;

import io.ftpgate.tls.SelfSigned;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.apache.ftpserver.ssl.ClientAuth;
import org.apache.ftpserver.ssl.SslConfiguration;

/**
 * A test certificate (self-signed, for localhost and 127.0.0.1) as PEM files for ftpgate, and as the TLS
 * configuration of an embedded MINA FTPS server.
 */
public final class PemTls implements SslConfiguration {

    public final SelfSigned.Written files;
    private final SSLContext context;
    private final ClientAuth clientAuth;

    private PemTls(SelfSigned.Written files, SSLContext context, ClientAuth clientAuth) {
        this.files = files;
        this.context = context;
        this.clientAuth = clientAuth;
    }

    /** This certificate on a MINA server that demands a client certificate (trusting none: the JDK's defaults). */
    public PemTls requiringClientCertificates() {
        return new PemTls(files, context, ClientAuth.NEED);
    }

    /** A new certificate and key in {@code dir}. */
    public static PemTls create(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        SelfSigned.Written w = SelfSigned.write(dir, List.of("localhost", "127.0.0.1"), SelfSigned.KeyType.EC_P256,
                Duration.ofDays(2));
        Certificate cert;
        try (InputStream in = Files.newInputStream(w.certPem())) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(w.keyPem()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem));
        PrivateKey key = KeyFactory.getInstance(cert.getPublicKey().getAlgorithm()).generatePrivate(spec);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "test".toCharArray();
        ks.setKeyEntry("server", key, pw, new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new PemTls(w, ctx, ClientAuth.NONE);
    }

    @Override
    public SSLSocketFactory getSocketFactory() {
        return context.getSocketFactory();
    }

    @Override
    public SSLContext getSSLContext() {
        return context;
    }

    @Override
    public SSLContext getSSLContext(String protocol) {
        return context;
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return null;
    }

    @Override
    public String getEnabledProtocol() {
        return "TLSv1.2";
    }

    @Override
    public String[] getEnabledProtocols() {
        return new String[] {"TLSv1.3", "TLSv1.2"};
    }

    @Override
    public ClientAuth getClientAuth() {
        return clientAuth;
    }
}
