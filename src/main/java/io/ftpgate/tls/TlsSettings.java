package io.ftpgate.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings shared by both TLS sides: which protocol versions, how long a handshake may take, and which TLS
 * implementation does the work.
 *
 * @param protocols protocol names in the JDK's spelling, {@code TLSv1.3} and/or {@code TLSv1.2}
 * @param handshakeTimeout how long a TLS handshake may take before the connection is closed
 * @param provider the TLS implementation
 */
public record TlsSettings(List<String> protocols, Duration handshakeTimeout, Provider provider) {

    /** TLS 1.3 and 1.2, the only versions without known protocol weaknesses (RFC 8996 deprecates 1.0 and 1.1). */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Long enough for a slow client on a slow link, short enough that idle half-open TLS connections go away. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The TLS implementation when none is configured ({@code tls-provider}): the JDK. OpenSSL needs about half the
     * JDK's CPU per GiB (docs/benchmarks.md "FTPS") and passes the JVM's FTPS tests, but in the namespace system
     * test 6 of 789 of its data connections toward vsftpd ({@code require_ssl_reuse=YES}) did not resume the
     * control session, and vsftpd refused those uploads with 522; the JDK resumed 756 of 756. It stays opt-in
     * ({@code tls-provider: openssl}) until that is understood. The rule of issue 13: the faster one is the
     * default only if it passes the same tests.
     */
    public static final Provider DEFAULT_PROVIDER = Provider.JDK;

    /** The TLS implementation. Switching it is this one setting; nothing else in the package names a provider. */
    public enum Provider {
        /**
         * The JDK's own TLS (SunJSSE), always present. Resumption is read off the wire ({@link ServerFlight}),
         * since the JDK's engine does not report it.
         */
        JDK(SslProvider.JDK),
        /**
         * BoringSSL through netty-tcnative-boringssl-static (native code, shipped for Linux x86-64 and
         * aarch64). Its engine reports session reuse itself and goes into Netty's SslHandler unwrapped, so
         * the handler takes its native fast path (direct buffers, no copy into the JDK's heap arrays).
         */
        OPENSSL(SslProvider.OPENSSL);

        private final SslProvider netty;

        Provider(SslProvider netty) {
            this.netty = netty;
        }

        SslProvider netty() {
            return netty;
        }

        /**
         * The provider used when none is configured: {@link TlsSettings#DEFAULT_PROVIDER}, or the JDK where that
         * is OpenSSL and its native library does not load (a platform netty-tcnative does not ship for).
         */
        public static Provider preferred() {
            return DEFAULT_PROVIDER == OPENSSL && !OpenSsl.isAvailable() ? JDK : DEFAULT_PROVIDER;
        }

        /** The configuration spelling: {@code jdk} or {@code openssl}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Fails with one line when this provider cannot work on this machine: OpenSSL needs its native library,
         * which loads only on the platforms netty-tcnative ships for (and not where /tmp is mounted noexec
         * without {@code -Dio.netty.native.workdir}).
         */
        void requireAvailable() throws TlsConfigException {
            if (this == OPENSSL && !OpenSsl.isAvailable()) {
                Throwable cause = OpenSsl.unavailabilityCause();
                throw new TlsConfigException("tls-provider openssl: the OpenSSL (BoringSSL) native library cannot be"
                        + " loaded on this machine (" + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch") + ": " + Pem.oneLine(cause)
                        + "); use tls-provider jdk");
            }
        }
    }

    public TlsSettings {
        protocols = checkProtocols(protocols);
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("TLS handshake timeout must be positive, got " + handshakeTimeout);
        }
        Objects.requireNonNull(provider, "provider");
    }

    /** TLS 1.3 and 1.2, a 10 s handshake timeout, the preferred provider ({@link Provider#preferred()}). */
    public static TlsSettings defaults() {
        return new TlsSettings(DEFAULT_PROTOCOLS, DEFAULT_HANDSHAKE_TIMEOUT, Provider.preferred());
    }

    /** These settings with other protocols (checked as in the constructor). */
    public TlsSettings withProtocols(List<String> names) {
        return new TlsSettings(names, handshakeTimeout, provider);
    }

    /** These settings with another TLS implementation. */
    public TlsSettings withProvider(Provider p) {
        return new TlsSettings(protocols, handshakeTimeout, p);
    }

    /** These settings with another handshake timeout. */
    public TlsSettings withHandshakeTimeout(Duration timeout) {
        return new TlsSettings(protocols, timeout, provider);
    }

    /**
     * Canonical names, in the given order, without repeats. Versions older than TLS 1.2 are refused by name:
     * they have known weaknesses, and the JDK disables them anyway ({@code jdk.tls.disabledAlgorithms}), so
     * listing one would otherwise fail only at the first handshake, with a less clear message.
     */
    static List<String> checkProtocols(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("TLS protocols: at least one is needed (TLSv1.3, TLSv1.2)");
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            String n = name == null ? "" : name.trim();
            String canonical = switch (n.toLowerCase(Locale.ROOT)) {
                case "tlsv1.3" -> "TLSv1.3";
                case "tlsv1.2" -> "TLSv1.2";
                case "sslv2", "sslv2hello", "sslv3", "tlsv1", "tlsv1.0", "tlsv1.1" -> throw new IllegalArgumentException(
                        "TLS protocol " + n + " is older than TLSv1.2 and not supported: it has known weaknesses"
                                + " (RFC 8996); use TLSv1.3 and/or TLSv1.2");
                default -> throw new IllegalArgumentException("unknown TLS protocol '" + n
                        + "'; expected TLSv1.3 or TLSv1.2");
            };
            if (!out.contains(canonical)) {
                out.add(canonical);
            }
        }
        return List.copyOf(out);
    }
}
