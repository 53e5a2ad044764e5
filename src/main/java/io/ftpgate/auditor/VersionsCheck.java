package io.ftpgate.auditor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * {@code tls-versions}: which TLS versions the server accepts, one connection each offering exactly one version:
 * TLS 1.3, 1.2, then 1.1 and 1.0 when this JDK can still offer them (its {@code jdk.tls.disabledAlgorithms}
 * usually forbids them; they are then not tested). Accepting anything older than TLS 1.2 is high (RFC 8996).
 */
final class VersionsCheck {

    /** Check id. */
    static final String ID = "tls-versions";
    /** Check title. */
    static final String TITLE = "TLS versions accepted";
    /** The versions tried, newest first, in the JDK's spelling. */
    static final List<String> PROBED = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");
    /** Deprecated by RFC 8996. */
    static final Set<String> LEGACY = Set.of("TLSv1.1", "TLSv1");

    /** What offering one version gave. */
    enum Outcome {
        /** The handshake succeeded. */
        ACCEPTED,
        /** The server refused the handshake. */
        REFUSED,
        /** This JDK cannot offer the version. */
        NOT_TESTED,
        /** Something else went wrong (AUTH TLS refused on that connection, a timeout). */
        FAILED
    }

    /** One version's outcome, with the cipher suite or the error. */
    record Result(String version, Outcome outcome, String detail) {
    }

    private VersionsCheck() {
    }

    static List<Finding> run(ProbeContext ctx) {
        List<Result> results = new ArrayList<>();
        for (String v : PROBED) {
            results.add(probe(ctx, v));
        }
        return List.of(judge(results));
    }

    private static Result probe(ProbeContext ctx, String version) {
        if (!TlsClient.canOffer(version)) {
            return new Result(version, Outcome.NOT_TESTED, "this JDK cannot offer it (jdk.tls.disabledAlgorithms)");
        }
        try (ControlSession s = ctx.secured(ctx.tlsClient(List.of(version)))) {
            return new Result(version, Outcome.ACCEPTED, s.tls().cipherSuite());
        } catch (SSLException e) {
            return new Result(version, Outcome.REFUSED, e.getMessage());
        } catch (IOException e) {
            return new Result(version, Outcome.FAILED, e.getMessage());
        }
    }

    /** The verdict on the outcomes, one per version of {@link #PROBED}. */
    static Finding judge(List<Result> results) {
        List<Evidence> ev = results.stream().map(r -> Evidence.observed(r.version() + " offered alone: "
                + shown(r.outcome()) + ": " + r.detail())).toList();
        List<String> accepted = versions(results, Outcome.ACCEPTED);
        List<String> legacy = accepted.stream().filter(LEGACY::contains).toList();
        if (!legacy.isEmpty()) {
            return new Finding(ID, TITLE, "accepts " + String.join(", ", legacy) + " (older than TLS 1.2)",
                    Severity.HIGH, ev, "TLS 1.0 and 1.1 are deprecated (RFC 8996): SHA-1 and MD5 in the handshake,"
                            + " CBC cipher suites with a record of practical attacks (BEAST, Lucky 13), no AEAD. A"
                            + " man in the middle who pushes a client down to them can read or change the session.",
                    "Accept TLS 1.2 and 1.3 only: ProFTPD TLSProtocol TLSv1.2 TLSv1.3, pyftpdlib a context with"
                            + " minimum_version TLSv1_2, FileZilla Server's minimum TLS version 1.2; or put"
                            + " ftpgate in front (TLS 1.3 and 1.2 only).");
        }
        if (accepted.isEmpty()) {
            return new Finding(ID, TITLE, "inconclusive: no version was accepted", Severity.INFO, ev,
                    "Every handshake failed, though auth-tls made one: the server may limit connections.",
                    "Rerun with a longer --timeout; the server's log names the refusals.");
        }
        List<String> parts = new ArrayList<>();
        parts.add(String.join(", ", accepted) + " accepted");
        for (Outcome o : List.of(Outcome.REFUSED, Outcome.NOT_TESTED, Outcome.FAILED)) {
            List<String> v = versions(results, o);
            if (!v.isEmpty()) {
                parts.add(String.join(", ", v) + " " + shown(o));
            }
        }
        String verdict = String.join("; ", parts);
        boolean legacyRefused = versions(results, Outcome.REFUSED).containsAll(LEGACY);
        if (legacyRefused && accepted.contains("TLSv1.3")) {
            return new Finding(ID, TITLE, verdict, Severity.OK, ev,
                    "Only TLS 1.3 and 1.2 are accepted, the versions without known protocol weaknesses.", "");
        }
        String meaning = accepted.contains("TLSv1.3") ? "" : "TLS 1.2 is sound when configured well, but TLS 1.3"
                + " drops its remaining weak options and is what NIST SP 800-52r2 asks servers to support. ";
        return new Finding(ID, TITLE, verdict, Severity.INFO, ev, meaning + (legacyRefused ? ""
                : "Whether the server still accepts TLS 1.1 or 1.0 was not established: this JDK does not offer"
                        + " them (or the attempt failed)."),
                (accepted.contains("TLSv1.3") ? "" : "Enable TLS 1.3 (OpenSSL 1.1.1 or newer). ")
                        + (legacyRefused ? "" : "To test the old versions, run the audit with a java.security"
                                + " override that enables them (JAVA_TOOL_OPTIONS=-Djava.security.properties=FILE,"
                                + " FILE setting jdk.tls.disabledAlgorithms without TLSv1 and TLSv1.1), or use"
                                + " openssl s_client -starttls ftp -tls1_1 -cipher DEFAULT@SECLEVEL=0."));
    }

    /** {@code not tested}. */
    private static String shown(Outcome o) {
        return o.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static List<String> versions(List<Result> results, Outcome o) {
        return results.stream().filter(r -> r.outcome() == o).map(Result::version).collect(Collectors.toList());
    }
}
