package io.ftpgate.it.transparent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static io.ftpgate.it.NetnsProcesses.sha256;
import static io.ftpgate.it.NetnsProcesses.waitFor;

import io.ftpgate.auditor.it.VsftpdAuditIT;
import io.ftpgate.it.NetnsProcesses;
import io.ftpgate.it.NetnsProcesses.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Transparent placement on a real router: network namespaces where tp-gw routes between a client (tp-cli) and two
 * vsftpd servers (tp-s1, tp-s2) on separate links, with the nftables TPROXY rules and policy routing that
 * {@code ftpgate print-nft} prints loaded in tp-gw, and ftpgate running there. The client names only the real
 * servers; that each session reaches the server it named (files differ per server: sha256) shows the
 * destination comes from the connection. Needs root (namespaces, CAP_NET_ADMIN) and the Debian tools; skipped
 * with the reason otherwise.
 *
 * <p>The CERT scenarios (bounce via a PORT naming a third host, nmap {@code -b}, a PORT opening a path to an
 * internal victim) first run without ftpgate, where the vulnerable vsftpd ({@code port_promiscuous=YES}) lets
 * them reach the victim: the control run that shows the assertions can fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransparentPlacementIT {

    private static final String S1 = "10.77.2.2";
    private static final String S2 = "10.77.3.2";
    /** An address of tp-s2 that the gateway's policy denies. */
    private static final String DENIED = "10.77.3.3";
    private static final String CLIENT = "10.77.1.2";
    private static final String GATEWAY_S1_SIDE = "10.77.2.1";
    private static final int VICTIM_PORT = 2323;
    /** The victim's port in PORT form: 2323 = 9 * 256 + 19. */
    private static final String VICTIM_PORT_ARG = "10,77,3,2,9,19";
    private static final int FILE_BYTES = 1 << 20;

    private static Path dir;
    private static NetnsProcesses sh;
    private static Path world;
    private static final List<Process> processes = new ArrayList<>();
    private static Process gateway;
    private static Path audit;
    private static String sha1;
    private static String sha2;

    @BeforeAll
    static void world() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: network namespaces, CAP_NET_ADMIN");
        for (String tool : List.of("/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/curl", "/usr/bin/lftp",
                "/usr/bin/python3", VsftpdAuditIT.VSFTPD.toString())) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is not installed");
        }
        dir = Files.createTempDirectory("tp-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        sh = new NetnsProcesses(dir);
        world = resource("tp-world.sh");
        resource("ftp_dialog.py");
        resource("victim.py");
        assumeTrue(sh.run(10, "sh", world.toString(), "up").exit() == 0, "cannot create the tp-* namespaces");
        sha1 = server("s1", S1, 11);
        sha2 = server("s2", S2, 22);
        processes.add(sh.start("tp-s2", dir.resolve("victim.out"), "/usr/bin/python3",
                dir.resolve("victim.py").toString(),
                S2, String.valueOf(VICTIM_PORT), dir.resolve("victim.hits").toString()));
        waitFor(() -> dialog(S1, "QUIT").contains("220 "), "vsftpd on " + S1);
        waitFor(() -> dialog(S2, "QUIT").contains("220 "), "vsftpd on " + S2);
    }

    @AfterAll
    static void teardown() throws Exception {
        stopGateway();
        processes.forEach(Process::destroyForcibly);
        if (world != null) {
            sh.run(10, "sh", world.toString(), "down");
        }
        NetnsProcesses.deleteTree(dir);
    }

    /**
     * What an administrator meets first: without CAP_NET_ADMIN (and CAP_NET_RAW) run stops with one line, and
     * check-config on the bare router names each missing piece of the host setup.
     */
    @Test
    @Order(0)
    void missingCapabilityAndHostSetupAreNamed() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--bounding-set", "-net_admin,-net_raw",
                "--inh-caps", "-net_admin,-net_raw"));
        cmd.addAll(NetnsProcesses.ftpgate("run", "--transparent", "--listen", "127.0.0.1:0"));
        assumeTrue(Files.isExecutable(Path.of(cmd.get(0))), "setpriv is not installed");
        Proc run = sh.ns(30, "tp-gw", cmd.toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("ftpgate: cannot start: listener listener-1: placement transparent needs"
                + " IP_TRANSPARENT, which needs CAP_NET_ADMIN (or CAP_NET_RAW)").doesNotContain("Exception");
        Path config = dir.resolve("bare.yaml");
        Files.writeString(config, "listeners:\n  - listen: 127.0.0.1:2121\n    placement: transparent\n");
        Proc check = sh.ns(30, "tp-gw", NetnsProcesses.ftpgate("check-config", config.toString())
                .toArray(String[]::new));
        assertThat(check.out()).contains(
                "warning (this machine): nftables table ip ftpgate with the tproxy rules is missing",
                "warning (this machine): policy rule missing: ip -4 rule add fwmark 0x21 lookup 121",
                "warning (this machine): local route missing: ip -4 route add local 0.0.0.0/0 dev lo table 121");
    }

    /** Without ftpgate the vulnerable server is a bounce tool: the later refusals are ftpgate's doing. */
    @Test
    @Order(1)
    void controlRunWithoutGatewayReachesTheVictim() throws Exception {
        List<String> r = List.of(dialog(S1, "USER anonymous", "PASS x@", "PORT " + VICTIM_PORT_ARG, "LIST")
                .split("\n"));
        assertThat(r).contains("200 PORT command successful. Consider using PASV.");
        waitFor(() -> victimHits() >= 1, "the victim to be reached in the control run");
        int before = victimHits();
        Proc nmap = nmapBounce();
        // The proof is the victim's own count: nmap's verdict for the port ("open", or "filtered" when the
        // bounced connection outlives nmap's wait for vsftpd's reply) depends on timing, the connection does not.
        waitFor(() -> victimHits() > before, "nmap -b to reach the victim through vsftpd:\n" + nmap.out());
    }

    @Test
    @Order(2)
    void gatewaySourceBothServersAllModes() throws Exception {
        startGateway("gateway", "passive");
        transfersToBothServers();
        assertThat(Files.readString(dir.resolve("s1/vsftpd.log"))).contains("\"" + GATEWAY_S1_SIDE + "\"");
        List<String> opens = grep("\"session-open\"");
        assertThat(opens).anyMatch(l -> l.contains("\"placement\":\"transparent\"") && l.contains(S1 + ":21"));
        assertThat(opens).anyMatch(l -> l.contains(S2 + ":21"));
        assertThat(grep("\"transfer\"")).filteredOn(l -> l.contains("\"outcome\":\"ok\"")).hasSize(12);
    }

    @Test
    @Order(3)
    void deniedDestinationIsRefusedWithItsReason() throws Exception {
        String r = dialog(DENIED, "USER anonymous");
        assertThat(r).startsWith("421 ").doesNotContain("230");
        assertThat(grep("\"refused\"")).anyMatch(l -> l.contains("\"reason\":\"destination-not-allowed\"")
                && l.contains(DENIED + ":21"));
    }

    @Test
    @Order(4)
    void certScenariosAreRefused() throws Exception {
        int before = victimHits();
        // Bounce: a PORT naming a third host, as curl -P sends it.
        Proc curl = sh.ns(10, "tp-cli", "/usr/bin/curl", "-sS", "--max-time", "10", "-P", S2,
                "ftp://" + S1 + "/a.bin");
        assertThat(curl.exit()).isNotZero();
        // Dynamic-filter hole: a PORT that would have the firewall's ALG open a path to an internal victim.
        String r = dialog(S1, "USER anonymous", "PASS x@", "PORT " + VICTIM_PORT_ARG, "LIST");
        assertThat(r).contains("501 Illegal PORT command: the data address must be your own.");
        Proc nmap = nmapBounce();
        assertThat(nmap.out()).doesNotContain(VICTIM_PORT + "/tcp open");
        List<String> refused = grep("\"port-foreign-address\"");
        assertThat(refused).anyMatch(l -> l.contains("PORT " + VICTIM_PORT_ARG));
        assertThat(refused).anyMatch(l -> l.contains("10,77,3,2,") && l.contains(S1 + ":21"));
        assertThat(victimHits()).as("connections the victim received through the gateway").isEqualTo(before);
    }

    /** Full transparency: the servers see the client's address; upstream-mode client also makes them active. */
    @Test
    @Order(5)
    void clientSourceBothServersAllModes() throws Exception {
        startGateway("client", "client");
        transfersToBothServers();
        assertThat(Files.readString(dir.resolve("s2/vsftpd.log"))).contains("\"" + CLIENT + "\"");
        assertThat(grep("\"transfer\"")).anyMatch(l -> l.contains("\"server-mode\":\"PORT\"")
                || l.contains("\"server-mode\":\"EPRT\""));
        assertThat(grep("\"transfer\"")).filteredOn(l -> l.contains("\"outcome\":\"ok\"")).hasSize(12);
    }

    // ------------------------------------------------------------------ clients

    /** curl EPSV, PASV and active, lftp passive and active, to both servers: 12 transfers, each sha256-checked. */
    private static void transfersToBothServers() throws Exception {
        for (String[] s : new String[][] {{S1, "a.bin", sha1}, {S2, "b.bin", sha2}}) {
            String url = "ftp://" + s[0] + "/" + s[1];
            for (List<String> mode : List.of(List.<String>of(), List.of("--disable-epsv"), List.of("-P", "-"),
                    List.of("-P", "-", "--disable-eprt"))) {
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "--max-time", "15", "-o", "-"));
                cmd.addAll(mode);
                cmd.add(url);
                Proc p = sh.ns(20, "tp-cli", cmd.toArray(String[]::new));
                assertThat(p.exit()).as("curl %s %s: %s", mode, url, p.err()).isZero();
                assertThat(sha256(p.bytes())).as("curl %s %s", mode, url).isEqualTo(s[2]);
            }
            for (String passive : List.of("on", "off")) {
                Path out = dir.resolve("lftp-" + s[1] + "-" + passive);
                Files.deleteIfExists(out);
                Proc p = sh.ns(30, "tp-cli", "/usr/bin/lftp", "-e", "set ftp:passive-mode " + passive
                        + "; set net:max-retries 1; set net:timeout 10; get " + s[1] + " -o " + out + "; bye", s[0]);
                assertThat(p.exit()).as("lftp passive-mode %s %s: %s", passive, s[0], p.out() + p.err()).isZero();
                assertThat(sha256(Files.readAllBytes(out))).as("lftp passive-mode %s %s", passive, s[0])
                        .isEqualTo(s[2]);
            }
        }
    }

    private static Proc nmapBounce() throws Exception {
        return sh.ns(60, "tp-cli", "/usr/bin/nmap", "-Pn", "-n", "-b", "anonymous:x@" + S1 + ":21", "-p",
                String.valueOf(VICTIM_PORT), S2);
    }

    /** The final reply lines of a raw dialog with HOST:21 from the client, one a line. */
    private static String dialog(String host, String... commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", dir.resolve("ftp_dialog.py").toString(),
                host, "21"));
        cmd.addAll(List.of(commands));
        return sh.ns(15, "tp-cli", cmd.toArray(String[]::new)).out();
    }

    // ------------------------------------------------------------------ the world

    /** vsftpd in tp-NAME on ADDR:21 with one 1 MiB file; returns the file's sha256. */
    private static String server(String name, String address, long seed) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Path root = Files.createDirectories(d.resolve("root"));
        Path empty = Files.createDirectories(d.resolve("empty"));
        for (Path p : List.of(d, root, empty)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        byte[] data = new byte[FILE_BYTES];
        new Random(seed).nextBytes(data);
        Files.write(root.resolve("s1".equals(name) ? "a.bin" : "b.bin"), data);
        // port_promiscuous: a server that is itself a bounce tool, as the CERT scenarios need one.
        String conf = String.join("\n", "listen=YES", "listen_ipv6=NO", "listen_address=" + address,
                "listen_port=21", "anonymous_enable=YES", "local_enable=NO", "write_enable=NO", "anon_root=" + root,
                "port_promiscuous=YES", "background=NO", "run_as_launching_user=YES", "seccomp_sandbox=NO",
                "connect_from_port_20=NO", "secure_chroot_dir=" + empty, "xferlog_enable=YES",
                "xferlog_std_format=NO", "log_ftp_protocol=YES", "vsftpd_log_file=" + d.resolve("vsftpd.log"), "");
        Files.writeString(d.resolve("vsftpd.conf"), conf);
        processes.add(sh.start("tp-" + name, d.resolve("vsftpd.out"), VsftpdAuditIT.VSFTPD.toString(),
                d.resolve("vsftpd.conf").toString()));
        return sha256(data);
    }

    /** (Re)starts ftpgate in tp-gw with the given source and upstream mode, and loads what print-nft prints. */
    private static void startGateway(String source, String upstreamMode) throws Exception {
        stopGateway();
        sh.run(10, "sh", world.toString(), "nft-off");
        audit = dir.resolve("audit-" + source + ".jsonl");
        Path config = dir.resolve("ftpgate-" + source + ".yaml");
        Files.writeString(config, String.join("\n", "audit-log: " + audit, "listeners:", "  - name: tproxy",
                "    listen: \"127.0.0.1:2121\"", "    placement: transparent", "    transparent-source: " + source,
                "    upstream-mode: " + upstreamMode, "    allow-destination: [10.77.2.0/24, 10.77.3.0/24]",
                "    deny-destination: [" + DENIED + "/32]", ""));
        Proc print = sh.run(30, NetnsProcesses.ftpgate("print-nft", config.toString()).toArray(String[]::new));
        assertThat(print.exit()).as(print.err()).isZero();
        Path rules = dir.resolve("rules-" + source + ".nft");
        Files.writeString(rules, print.out());
        Proc load = sh.run(10, "sh", world.toString(), "nft", rules.toString());
        assumeTrue(load.exit() == 0, "the kernel refused the TPROXY rules (nft_tproxy, nft_socket): " + load.err());
        Proc check = sh.ns(30, "tp-gw", NetnsProcesses.ftpgate("check-config", config.toString())
                .toArray(String[]::new));
        assertThat(check.out()).contains(": OK").doesNotContain("warning (this machine)");
        Path log = dir.resolve("gateway-" + source + ".out");
        gateway = sh.start("tp-gw", log, NetnsProcesses.ftpgate("run", "--config", config.toString())
                .toArray(String[]::new));
        waitFor(() -> Files.readString(log).contains("listening on 127.0.0.1:2121") || !gateway.isAlive(),
                "ftpgate to listen");
        assertThat(gateway.isAlive()).as(Files.readString(log)).isTrue();
    }

    private static void stopGateway() throws InterruptedException {
        if (gateway != null) {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
            gateway.destroyForcibly();
            gateway = null;
        }
    }

    private static List<String> grep(String needle) throws IOException {
        return Files.readAllLines(audit).stream().filter(l -> l.contains(needle)).toList();
    }

    private static int victimHits() throws IOException {
        Path hits = dir.resolve("victim.hits");
        return Files.exists(hits) ? Files.readAllLines(hits).size() : 0;
    }

    private static Path resource(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = TransparentPlacementIT.class.getResourceAsStream(name)) {
            Files.copy(in, target);
        }
        return target;
    }
}
