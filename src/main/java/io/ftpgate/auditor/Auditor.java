package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe engine behind {@code ftpgate audit}: connects once to learn how the server sees this host, picks
 * the third-party address, then runs every check in turn, each on sessions of its own.
 *
 * <p>It refuses to start (an {@link AuditException}, exit code 2) when the server cannot be reached, does not
 * greet with 220, or the third-party address is unusable. When the audit user cannot log in, the report holds
 * the checks that need no login and says why the rest were not run.
 */
public final class Auditor {

    /** Check id of login without TLS. */
    static final String CLEARTEXT_ID = "cleartext-login";

    private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);

    private Auditor() {
    }

    /** Audits the server named in {@code options}. */
    public static AuditReport audit(AuditOptions options) throws AuditException {
        InetSocketAddress server = resolve(options);
        String target = Probes.show(server);
        Contact contact = firstContact(server, options);
        InetAddress client = contact.client();
        ThirdParty third = thirdParty(options.thirdParty(), client);
        ProbeContext ctx = new ProbeContext(options, server, client, third.address(), third.why(), contact.implicit());
        String shownThird = third.address() == null ? null : Probes.show(third.address());

        List<Finding> findings = new ArrayList<>();
        for (AuditCheck check : List.of(new GreetingCheck(), new FtpsChecks(), new ImplicitCheck(),
                new AnonymousCheck())) {
            findings.addAll(check.run(ctx));
        }
        try {
            findings.add(cleartextLogin(ctx));
        } catch (IOException e) {
            LOG.debug("login failed", e);
            return new AuditReport(target, options.loginUser(), shownThird, findings,
                    e.getMessage() + "; the data-connection checks need a login (give --user and --password)");
        }
        for (AuditCheck check : List.of(new BounceCheck(), new PrivilegedPortCheck(), new PassiveCheck(),
                new TheftCheck())) {
            findings.addAll(check.run(ctx));
        }
        return new AuditReport(target, options.loginUser(), shownThird, findings, null);
    }

    private static InetSocketAddress resolve(AuditOptions options) throws AuditException {
        try {
            return new InetSocketAddress(InetAddress.getByName(options.host()), options.port());
        } catch (UnknownHostException e) {
            throw new AuditException("cannot resolve host '" + options.host() + "'", e);
        }
    }

    /** How the first connection went: the local address the server sees, and whether it needed implicit TLS. */
    private record Contact(InetAddress client, boolean implicit) {
    }

    /**
     * Connects once to check the greeting and to learn the local address the server sees. When the audited port
     * may be implicit FTPS (990, or the one given with --implicit-port), TLS from the first byte is tried first;
     * if it works, the whole audit runs over implicit TLS.
     */
    private static Contact firstContact(InetSocketAddress server, AuditOptions options) throws AuditException {
        String where = Probes.show(server);
        if (options.auditedPortImplicit()) {
            try (ControlSession s = ControlSession.open(server, options.timeout(),
                    TlsClient.create(options.host(), TlsClient.MODERN))) {
                if (s.banner().code() != 220) {
                    throw new AuditException(where + " did not greet with 220 over implicit TLS: "
                            + ControlSession.show(s.banner()));
                }
                return new Contact(s.localAddress(), true);
            } catch (IOException e) {
                LOG.debug("{} does not speak implicit FTPS", where, e);
            }
        }
        try (ControlSession s = ControlSession.open(server, options.timeout())) {
            FtpReply banner = s.banner();
            if (banner.code() != 220) {
                throw new AuditException(where + " did not greet with 220: " + ControlSession.show(banner));
            }
            return new Contact(s.localAddress(), false);
        } catch (ConnectException e) {
            throw new AuditException("cannot connect to " + where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new AuditException("no answer from " + where + " within " + Probes.show(options.timeout()), e);
        } catch (IOException e) {
            throw new AuditException("cannot talk to " + where + ": " + e.getMessage(), e);
        }
    }

    /** The third-party address, or {@code null} with the reason. */
    record ThirdParty(InetAddress address, String why) {
    }

    /**
     * Checks the given third-party address, or picks one: 127.0.0.2 when the server is reached over IPv4
     * loopback, otherwise another address of this host of the same family.
     */
    static ThirdParty thirdParty(InetAddress given, InetAddress client) throws AuditException {
        if (given != null) {
            if (given.equals(client)) {
                throw new AuditException("--third-party " + Probes.show(given) + " is the address the auditor"
                        + " connects from; it must be another address of this host");
            }
            if ((given instanceof Inet4Address) != (client instanceof Inet4Address)) {
                throw new AuditException("--third-party " + Probes.show(given) + " must be of the same family as"
                        + " the control connection's local address " + Probes.show(client));
            }
            try {
                // Listening there is what the bounce check will do; find out now rather than mid-audit.
                new ServerSocket(0, 1, given).close();
                return new ThirdParty(given, null);
            } catch (IOException e) {
                throw new AuditException("cannot listen on --third-party " + Probes.show(given) + " ("
                        + e.getMessage() + "): it must be an address of this host", e);
            }
        }
        if (client instanceof Inet4Address && client.isLoopbackAddress()) {
            byte[] b = client.getAddress();
            b[3] = (byte) (b[3] == 2 ? 3 : 2);
            try {
                return new ThirdParty(InetAddress.getByAddress(b), null);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an IPv4 address", e);
            }
        }
        for (InetAddress a : localAddresses()) {
            boolean sameFamily = (a instanceof Inet4Address) == (client instanceof Inet4Address);
            if (sameFamily && !a.equals(client) && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()
                    && a.isLoopbackAddress() == client.isLoopbackAddress()) {
                return new ThirdParty(a, null);
            }
        }
        return new ThirdParty(null, "this host has no second address of the same family as "
                + Probes.show(client) + "; pass --third-party");
    }

    private static List<InetAddress> localAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp()) {
                    out.addAll(Collections.list(nif.getInetAddresses()));
                }
            }
        } catch (SocketException e) {
            LOG.debug("cannot list network interfaces", e);
        }
        return out;
    }

    /** Logs in as the audit user; judges that the login worked without TLS. */
    private static Finding cleartextLogin(ProbeContext ctx) throws IOException {
        try (ControlSession s = ctx.connect()) {
            s.clearEvidence();
            AuditOptions o = ctx.options();
            FtpReply reply = ProbeContext.login(s, o.loginUser(), o.loginPassword());
            if (reply.code() != 230) {
                throw new IOException("login as " + o.loginUser() + " refused: " + ControlSession.show(reply));
            }
            String title = "Login without TLS";
            if (ctx.implicit()) {
                return new Finding(CLEARTEXT_ID, title, "not applicable: the login went over implicit TLS",
                        Severity.OK, s.evidence(), "The server speaks TLS from the first byte; no login is in clear.",
                        "");
            }
            if (o.isAnonymous()) {
                return new Finding(CLEARTEXT_ID, title, "anonymous login in cleartext", Severity.INFO, s.evidence(),
                        "Anonymous login carries no secret, so cleartext costs nothing here.", "");
            }
            return new Finding(CLEARTEXT_ID, title, "password accepted in cleartext", Severity.MEDIUM, s.evidence(),
                    "The password of " + o.loginUser() + " crossed the network unencrypted and the server took it:"
                            + " anyone on the path can log in as that user.",
                    "Require TLS before login (vsftpd force_local_logins_ssl=YES, ProFTPD TLSRequired on) or use"
                            + " SFTP for named users.");
        }
    }
}
