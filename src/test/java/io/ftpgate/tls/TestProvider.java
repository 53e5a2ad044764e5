package io.ftpgate.tls;

import java.util.Locale;

/**
 * The TLS provider the tests run with: {@code -Dftpgate.test.tlsProvider=openssl} (or {@code jdk}) runs every
 * TLS unit test and FTPS integration test with that provider, e.g.
 * {@code mvn -B -o verify -Dftpgate.test.tlsProvider=openssl -Dit.test='*Ftps*IT' -Dtest='io.ftpgate.tls.*Test'};
 * without it they run with the default ({@link TlsSettings.Provider#preferred()}).
 */
public final class TestProvider {

    /** The system property that picks the provider. */
    public static final String PROPERTY = "ftpgate.test.tlsProvider";

    private TestProvider() {
    }

    /** The provider named by {@value #PROPERTY}, else the default. */
    public static TlsSettings.Provider get() {
        String v = System.getProperty(PROPERTY, "").trim();
        return v.isEmpty() ? TlsSettings.Provider.preferred() : TlsSettings.Provider.valueOf(v.toUpperCase(Locale.ROOT));
    }

    /** {@link TlsSettings#defaults()} with the provider under test. */
    public static TlsSettings settings() {
        return TlsSettings.defaults().withProvider(get());
    }
}
