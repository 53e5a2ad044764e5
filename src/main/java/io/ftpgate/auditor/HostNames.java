package io.ftpgate.auditor;

import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Whether a certificate names the host the auditor was given, by the rules TLS clients apply (RFC 6125, as the
 * JDK's HTTPS host-name check): an address literal must be one of the certificate's IP address entries; a DNS
 * name must be one of its DNS entries, case-insensitive, where {@code *} may stand for exactly one whole
 * left-most label ({@code *.example.com} names {@code ftp.example.com}, not {@code example.com} or
 * {@code a.b.example.com}); only a certificate without DNS entries is matched by its subject's CN.
 */
final class HostNames {

    private static final int DNS = 2;
    private static final int IP = 7;

    private HostNames() {
    }

    /** The certificate's names as shown in evidence: DNS and IP entries, else the subject's CN. */
    static List<String> names(X509Certificate cert) {
        List<String> out = new ArrayList<>(entries(cert, DNS));
        out.addAll(entries(cert, IP));
        if (out.isEmpty()) {
            out.addAll(commonNames(cert));
        }
        return out;
    }

    /** True when {@code cert} names {@code host} (a name or an address literal, as given on the command line). */
    static boolean matches(String host, X509Certificate cert) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (NetUtil.isValidIpV4Address(h) || NetUtil.isValidIpV6Address(h)) {
            byte[] wanted = NetUtil.createByteArrayFromIpAddressString(h);
            return entries(cert, IP).stream().map(NetUtil::createByteArrayFromIpAddressString)
                    .anyMatch(a -> Arrays.equals(a, wanted));
        }
        List<String> dns = entries(cert, DNS);
        return (dns.isEmpty() ? commonNames(cert) : dns).stream().anyMatch(pattern -> nameMatches(h, pattern));
    }

    /** One DNS name against one certificate name, which may start with a {@code *} label. */
    static boolean nameMatches(String host, String pattern) {
        String h = trimDot(host).toLowerCase(Locale.ROOT);
        String p = trimDot(pattern).toLowerCase(Locale.ROOT);
        if (!p.startsWith("*.")) {
            return !p.contains("*") && h.equals(p);
        }
        String rest = p.substring(1); // ".example.com"
        int firstDot = h.indexOf('.');
        // The wildcard stands for one whole label, and at least two labels must follow it (no "*.com").
        return firstDot > 0 && h.substring(firstDot).equals(rest) && rest.indexOf('.', 1) > 0 && !rest.contains("*");
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static List<String> entries(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(type).equals(san.get(0)) && san.get(1) instanceof String v) {
                        out.add(v);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unreadable extension names nothing.
        }
        return out;
    }

    private static List<String> commonNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    out.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // A subject that is not a distinguished name has no CN.
        }
        return out;
    }
}
