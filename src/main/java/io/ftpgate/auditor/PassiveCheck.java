package io.ftpgate.auditor;

import io.ftpgate.protocol.DataAddresses;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Passive mode, in one session: the address in the 227 reply (a leak when it is not the address the auditor
 * connected to), EPSV support, and the ports of {@link #SAMPLES} passive replies in a row (predictability and
 * the range in use).
 * <pre>
 *   &gt; PASV   &lt; 227 Entering Passive Mode (10,0,0,1,156,64).   10.0.0.1 is private: leak
 *   &gt; EPSV   &lt; 229 Entering Extended Passive Mode (|||40001|)
 *   &gt; PASV x6 ...                                            40002, 40003, 40004...: sequential
 * </pre>
 * The port pattern is judged on its own {@link #SAMPLES} replies only, all of them in its evidence, so the
 * count in its verdict, the replies it shows and the README's "six" are the same number.
 */
final class PassiveCheck implements AuditCheck {

    /** Check id of the 227 address leak. */
    static final String LEAK_ID = "pasv-address";
    /** Check id of EPSV support. */
    static final String EPSV_ID = "epsv";
    /** Check id of passive port predictability. */
    static final String PORTS_ID = "passive-ports";
    /**
     * Passive replies the port pattern is judged on, all sent by that step itself (README: "six"): enough for
     * {@link PortPattern#SEQUENTIAL_SHARE} to forgive one wrap-around or one port taken by someone else.
     */
    static final int SAMPLES = 6;

    private static final String LEAK_TITLE = "Address in the PASV reply";
    private static final String EPSV_TITLE = "EPSV support (RFC 2428)";
    private static final String PORTS_TITLE = "Passive port predictability";

    @Override
    public List<Finding> run(ProbeContext ctx) {
        return Probes.onSession(ctx, true, List.of(new Probes.Step(LEAK_ID, LEAK_TITLE),
                new Probes.Step(EPSV_ID, EPSV_TITLE), new Probes.Step(PORTS_ID, PORTS_TITLE)), (s, out) -> {
                    Probes.Passive first = Probes.passive(s);
                    out.add(first.advertised() == null
                            ? new Finding(LEAK_ID, LEAK_TITLE, "not applicable: EPSV carries no address",
                                    Severity.OK, s.evidence(), "Over IPv6 passive mode is EPSV, which names only a"
                                            + " port.", "")
                            : leak(s.remote().getAddress(), first.advertised().address(), s.evidence()));
                    s.clearEvidence();
                    out.add(epsv(s));
                    s.clearEvidence();
                    List<Integer> ports = new ArrayList<>();
                    while (ports.size() < SAMPLES) {
                        ports.add(Probes.passive(s).port());
                    }
                    out.add(ports(ports, s.evidence()));
                });
    }

    /** Compares the 227 address with the address the control connection reached. */
    static Finding leak(InetAddress connected, InetAddress advertised, List<Evidence> ev) {
        if (advertised.equals(connected)) {
            return new Finding(LEAK_ID, LEAK_TITLE, "advertises " + Probes.show(advertised)
                    + ", the address the auditor connected to", Severity.OK, ev,
                    "Passive-mode replies carry the server's own public address; nothing internal leaks.", "");
        }
        AddressClass kind = AddressClass.of(advertised);
        String verdict = (kind == AddressClass.PUBLIC ? "advertises " : "leaks ") + kind.description() + ": "
                + Probes.show(advertised) + " (connected to " + Probes.show(connected) + ")";
        if (kind == AddressClass.PUBLIC) {
            return new Finding(LEAK_ID, LEAK_TITLE, verdict, Severity.LOW, ev,
                    "The 227 reply names an address other than the one the client reached. Behind NAT this may be"
                            + " intended; otherwise clients that trust the 227 connect to a host the client never"
                            + " chose (curl CVE-2020-8284).",
                    "Set the advertised address to the one clients connect to (vsftpd pasv_address, Apache"
                            + " FtpServer passive external-address, pyftpdlib masquerade_address).");
        }
        return new Finding(LEAK_ID, LEAK_TITLE, verdict, Severity.MEDIUM, ev,
                "The 227 reply tells every client an internal address of the server (the NAT problem of the"
                        + " founding documents: the address inside PASV is wrong on the other side of the"
                        + " translation); clients that trust it fail or connect to a host of their own network.",
                "Advertise the public address (vsftpd pasv_address, Apache FtpServer passive external-address,"
                        + " pyftpdlib masquerade_address), or let an FTP-aware gateway such as ftpgate rewrite it.");
    }

    private static Finding epsv(ControlSession s) throws IOException {
        FtpReply r = s.command("EPSV");
        if (r.code() == 229) {
            try {
                DataAddresses.parseEpsvReply(r.text());  // only whether clients can parse it; the port is unused
                return new Finding(EPSV_ID, EPSV_TITLE, "supported", Severity.OK, s.evidence(),
                        "EPSV carries only a port, so nothing can leak and NAT devices have nothing to rewrite.", "");
            } catch (FtpSyntaxException e) {
                return new Finding(EPSV_ID, EPSV_TITLE, "malformed 229 reply", Severity.LOW, s.evidence(),
                        "Clients cannot use the server's EPSV reply: " + e.getMessage(),
                        "Fix the server's 229 reply format: (|||port|).");
            }
        }
        return new Finding(EPSV_ID, EPSV_TITLE, "not supported (" + r.code() + ")", Severity.INFO, s.evidence(),
                "Clients must fall back to PASV, whose reply carries an address that NAT devices must rewrite and"
                        + " IPv6 clients cannot use.",
                "Enable EPSV (RFC 2428); every current server supports it.");
    }

    /** Judges the ports of consecutive passive replies. */
    static Finding ports(List<Integer> ports, List<Evidence> ev) {
        PortPattern p = PortPattern.of(ports);
        String range = "ports " + p.min() + "-" + p.max() + " over " + ports.size() + " replies";
        List<Evidence> all = new ArrayList<>(ev);
        all.add(Evidence.observed("passive ports in order: " + ports));
        String meaning = "An attacker who can guess the next passive port can connect to it before the client"
                + " does and receive (or supply) the file instead: data-connection theft, unless the server"
                + " checks the data connection's source address (see data-theft).";
        String fix = "Let the server choose passive ports at random from a narrow range (e.g. 50000-50999) and"
                + " open only that range in the firewall.";
        return switch (p.kind()) {
            case SEQUENTIAL -> new Finding(PORTS_ID, PORTS_TITLE, "sequential (step " + p.step() + "), " + range,
                    Severity.LOW, all, meaning, fix);
            case CONSTANT -> new Finding(PORTS_ID, PORTS_TITLE, "always the same port, " + range, Severity.LOW, all,
                    meaning, fix);
            case RANDOM -> new Finding(PORTS_ID, PORTS_TITLE, "random, " + range, Severity.OK, all,
                    "The next passive port cannot be guessed from the last ones. The firewall in front must"
                            + " allow inbound connections to the range seen (or understand FTP).", "");
            case UNKNOWN -> new Finding(PORTS_ID, PORTS_TITLE, "unknown, " + range, Severity.INFO, all,
                    "Too few passive replies to judge.", "");
        };
    }
}
