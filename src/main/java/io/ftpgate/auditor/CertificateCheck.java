package io.ftpgate.auditor;

import io.ftpgate.tls.Fingerprints;
import io.ftpgate.tls.TlsConfigException;
import io.ftpgate.tls.Trust;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tls-certificate}: the certificate the server showed in its handshake, judged as a client that verifies
 * would: its validity period, whether it chains to the system trust store (or is self-signed), and whether it
 * names the host given on the command line. The verdict lists every problem; the severity is the worst one.
 */
final class CertificateCheck {

    /** Check id. */
    static final String ID = "tls-certificate";
    /** Check title. */
    static final String TITLE = "TLS certificate: validity, trust and name";
    /** A certificate closer than this to its end is reported (medium): renewals fail late more often than not. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);
    /** How a verifying client checks the chain: the JDK's default trust store. */
    private static final String AUTH_TYPE = "UNKNOWN";

    /**
     * What the auditor learned about the server's certificate.
     *
     * @param subject     the leaf's subject
     * @param issuer      the leaf's issuer
     * @param fingerprint SHA-256 of the leaf, as {@code AB:CD:...}
     * @param notBefore   start of validity
     * @param notAfter    end of validity
     * @param names       the names it carries (DNS and IP entries, else the CN)
     * @param selfSigned  the leaf is signed by its own key
     * @param untrusted   why the system trust store does not vouch for the chain, or null when it does
     * @param nameMatches the certificate names the audited host
     */
    record Facts(String subject, String issuer, String fingerprint, Instant notBefore, Instant notAfter,
            List<String> names, boolean selfSigned, String untrusted, boolean nameMatches) {
    }

    private CertificateCheck() {
    }

    /** The finding for the chain a handshake showed, judged now. */
    static Finding run(TlsClient.Handshake hs, String host, List<Evidence> handshakeEvidence) {
        if (hs.chain().isEmpty()) {
            return new Finding(ID, TITLE, "no certificate: the server authenticated itself with none", Severity.HIGH,
                    handshakeEvidence, "Without a certificate nobody can tell the server from a man in the middle.",
                    "Configure a certificate; disable anonymous cipher suites.");
        }
        return judge(facts(hs.chain(), host), host, Instant.now(), handshakeEvidence);
    }

    /** Reads the facts off {@code chain} (leaf first), checking it against the system trust store. */
    static Facts facts(List<X509Certificate> chain, String host) {
        X509Certificate leaf = chain.get(0);
        String untrusted = null;
        try {
            Trust.system().trustManager().checkServerTrusted(chain.toArray(X509Certificate[]::new), AUTH_TYPE);
        } catch (CertificateException | TlsConfigException e) {
            untrusted = rootMessage(e);
        }
        return new Facts(leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(),
                Fingerprints.sha256(leaf), leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(),
                HostNames.names(leaf), selfSigned(leaf), untrusted, HostNames.matches(host, leaf));
    }

    /** The verdict on {@code f} at {@code now}; {@code evidence} comes first, then the facts. */
    static Finding judge(Facts f, String host, Instant now, List<Evidence> evidence) {
        List<String> problems = new ArrayList<>();
        List<String> meanings = new ArrayList<>();
        Severity worst = Severity.OK;
        if (now.isAfter(f.notAfter())) {
            problems.add("expired on " + day(f.notAfter()));
            worst = Severity.HIGH;
        } else if (now.isBefore(f.notBefore())) {
            problems.add("not valid before " + day(f.notBefore()));
            worst = Severity.HIGH;
        } else if (Duration.between(now, f.notAfter()).compareTo(EXPIRY_WARNING) < 0) {
            long days = Duration.between(now, f.notAfter()).toDays();
            problems.add("expires in " + days + (days == 1 ? " day" : " days") + ", on " + day(f.notAfter()));
            meanings.add("On that day clients that verify certificates stop connecting.");
            worst = Severity.MEDIUM;
        }
        if (worst == Severity.HIGH) {
            meanings.add("Clients that verify certificates refuse the server; those that connect anyway have been"
                    + " taught to click through warnings, so a man in the middle with any certificate goes unnoticed.");
        }
        if (f.selfSigned() || f.untrusted() != null) {
            problems.add(f.selfSigned() ? "self-signed" : "not trusted by the system trust store");
            meanings.add("Clients cannot verify the server: unless they pin this certificate by its SHA-256"
                    + " fingerprint, anyone on the path can present a certificate of their own and read the"
                    + " session, passwords included.");
            worst = worse(worst, Severity.MEDIUM);
        }
        if (!f.nameMatches()) {
            problems.add("name mismatch: " + host + " is not among " + f.names());
            meanings.add("Clients that check names refuse the server; the others learn to ignore the warning.");
            worst = worse(worst, Severity.MEDIUM);
        }
        List<Evidence> ev = new ArrayList<>(evidence);
        ev.add(Evidence.observed("subject " + f.subject()));
        ev.add(Evidence.observed("issuer " + f.issuer()));
        ev.add(Evidence.observed("SHA-256 " + f.fingerprint()));
        ev.add(Evidence.observed("valid from " + f.notBefore().truncatedTo(ChronoUnit.SECONDS) + " to "
                + f.notAfter().truncatedTo(ChronoUnit.SECONDS)));
        ev.add(Evidence.observed("names " + f.names()));
        ev.add(Evidence.observed(f.untrusted() == null ? "chains to the system trust store"
                : "system trust store: " + f.untrusted()));
        if (problems.isEmpty()) {
            return new Finding(ID, TITLE, "valid: trusted, names " + host + ", expires " + day(f.notAfter()),
                    Severity.OK, ev, "Clients that verify certificates can tell this server from an impostor.", "");
        }
        return new Finding(ID, TITLE, String.join("; ", problems), worst, ev, String.join(" ", meanings),
                "Install a certificate from a CA the clients trust (e.g. Let's Encrypt) that names " + host
                        + ", with its intermediate certificates, and renew it automatically well before it"
                        + " expires. For a private server, clients can pin the SHA-256 fingerprint shown here"
                        + " (ftpgate: server-fingerprint).");
    }

    private static Severity worse(Severity a, Severity b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String day(Instant t) {
        return t.truncatedTo(ChronoUnit.DAYS).toString().substring(0, "yyyy-mm-dd".length());
    }

    private static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The innermost message: PKIX wraps "unable to find valid certification path" twice. */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
