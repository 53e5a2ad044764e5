package io.ftpgate.it.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpgate.auditor.it.VsftpdAuditIT;
import io.ftpgate.it.NetnsProcesses;
import io.ftpgate.it.NetnsProcesses.Proc;
import io.ftpgate.tls.SelfSigned;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The world of {@link KernelDataPathIT}: the kd-* namespaces (kd-world.sh), vsftpd on IPv4 and IPv6 in kd-srv
 * serving one root (anonymous download, an upload folder), and ftpgate as a process in kd-gw with
 * {@code data-path: kernel} on four listeners: {@code kd} (IPv4, {@code upstream-mode: client}), {@code kd6}
 * (the same on IPv6), {@code mixed} ({@code upstream-mode: passive}: an active client mixes directions) and
 * {@code tls} (FTPS required toward the client); and {@code relay}, as {@code kd} on the relay, to compare
 * with. Also what the tests read: the audit log, vsftpd's logs, the TCP retransmission counters and the sets of
 * the gateway's nftables table.
 */
final class KernelWorld implements AutoCloseable {

    static final String CLIENT = "10.78.1.2";
    static final String CLIENT_SECOND = "10.78.1.3";
    static final String GATEWAY = "10.78.1.1";
    static final String GATEWAY_SERVER_SIDE = "10.78.2.1";
    static final String SERVER = "10.78.2.2";
    static final String CLIENT6 = "fd78:1::2";
    static final String GATEWAY6 = "fd78:1::1";
    static final String GATEWAY6_SERVER_SIDE = "fd78:2::1";
    static final String SERVER6 = "fd78:2::2";
    static final int KERNEL_PORT = 2121;
    static final int MIXED_PORT = 2122;
    static final int TLS_PORT = 2123;
    static final int RELAY_PORT = 2124;
    /** The table of this instance: its first listener's name and first listen port. */
    static final String TABLE = "ftpgate_kd_" + KERNEL_PORT;
    /** A table of the host's own that ftpgate must never touch. */
    static final String OWN_TABLE = "kd_own";
    /** The sets whose elements belong to pinholes and flows; killedN elements expire by themselves. */
    static final List<String> PER_TRANSFER_SETS = List.of("armed4", "target4", "source4", "flows4", "first4",
            "armed6", "target6", "source6", "flows6", "first6");
    /** The pinhole timeout of the gateway: short, so that expiry is quick to show. */
    static final int PINHOLE_SECONDS = 2;
    static final int DOWN_BYTES = 1 << 20;
    static final int UP_BYTES = 3 * (1 << 19) + 7;
    static final long BIG_BYTES = 200L << 20;
    private static final Pattern SET_HEAD = Pattern.compile("^\\s*(?:set|map) (\\w+) \\{");

    final Path dir;
    final NetnsProcesses sh;
    final Path root;
    final Path upload;
    final Path upFile;
    final Path audit;
    final Path config;
    final String downSha;
    final String upSha;
    private final Path world;
    private final List<Process> servers = new ArrayList<>();
    private Process gateway;
    private int starts;

    private KernelWorld(Path dir) throws Exception {
        this.dir = dir;
        this.sh = new NetnsProcesses(dir);
        this.world = resource("kd-world.sh");
        resource("kd_dialog.py");
        this.root = Files.createDirectories(dir.resolve("srv/root"));
        this.upload = Files.createDirectories(root.resolve("upload"));
        Path empty = Files.createDirectories(dir.resolve("srv/empty"));
        for (Path p : List.of(dir.resolve("srv"), root, empty)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(upload, PosixFilePermissions.fromString("rwxrwxrwx"));
        this.downSha = randomFile(root.resolve("down.bin"), DOWN_BYTES, 14);
        this.upFile = dir.resolve("up.bin");
        this.upSha = randomFile(upFile, UP_BYTES, 41);
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(BIG_BYTES); // sparse: 200 MB the server reads as zeros
        }
        this.audit = dir.resolve("audit.jsonl");
        this.config = dir.resolve("ftpgate.yaml");
    }

    /** Creates the world, or skips the test class with the reason when this machine cannot have it. */
    static KernelWorld create() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: network namespaces, CAP_NET_ADMIN");
        for (String tool : List.of("/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/curl", "/usr/bin/lftp",
                "/usr/bin/python3", "/usr/bin/setpriv", VsftpdAuditIT.VSFTPD.toString())) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is not installed");
        }
        Path dir = Files.createTempDirectory("kd-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        KernelWorld w = new KernelWorld(dir);
        Proc up = w.sh.run(20, "sh", w.world.toString(), "up");
        assumeTrue(up.exit() == 0, "cannot create the kd-* namespaces: " + up.err());
        w.vsftpd("v4", "listen=YES\nlisten_ipv6=NO\nlisten_address=" + SERVER);
        w.vsftpd("v6", "listen=NO\nlisten_ipv6=YES\nlisten_address6=" + SERVER6);
        Proc own = w.nft("add table inet " + OWN_TABLE + "; add set inet " + OWN_TABLE
                + " keep { type ipv4_addr; }; add element inet " + OWN_TABLE + " keep { 192.0.2.7 }");
        assertThat(own.exit()).as(own.err()).isZero();
        w.writeConfig();
        NetnsProcesses.waitFor(() -> w.greeting(SERVER, 21).contains("220 "), "vsftpd on " + SERVER);
        NetnsProcesses.waitFor(() -> w.greeting(SERVER6, 21).contains("220 "), "vsftpd on " + SERVER6);
        return w;
    }

    private void vsftpd(String name, String listen) throws Exception {
        String conf = String.join("\n", listen, "listen_port=21", "anonymous_enable=YES", "local_enable=NO",
                "write_enable=YES", "anon_upload_enable=YES", "anon_umask=022", "anon_root=" + root,
                "background=NO", "run_as_launching_user=YES", "seccomp_sandbox=NO", "connect_from_port_20=NO",
                "secure_chroot_dir=" + dir.resolve("srv/empty"), "xferlog_enable=YES", "xferlog_std_format=NO",
                "log_ftp_protocol=YES", "vsftpd_log_file=" + vsftpdLog(name), "");
        Path file = dir.resolve("vsftpd-" + name + ".conf");
        Files.writeString(file, conf);
        servers.add(sh.start("kd-srv", dir.resolve("vsftpd-" + name + ".out"), VsftpdAuditIT.VSFTPD.toString(),
                file.toString()));
    }

    Path vsftpdLog(String name) {
        return dir.resolve("vsftpd-" + name + ".log");
    }

    private void writeConfig() throws IOException {
        SelfSigned.Written tls = SelfSigned.write(dir.resolve("tls"), List.of(GATEWAY), SelfSigned.KeyType.EC_P256,
                Duration.ofDays(1));
        Files.writeString(config, String.join("\n", "audit-log: " + audit, "timeouts:",
                "  pinhole: " + PINHOLE_SECONDS + "s", "listeners:",
                listener("kd", GATEWAY + ":" + KERNEL_PORT, SERVER + ":21", "client", 61000),
                listener("kd6", "\"[" + GATEWAY6 + "]:" + KERNEL_PORT + "\"", "\"[" + SERVER6 + "]:21\"", "client",
                        61200),
                listener("mixed", GATEWAY + ":" + MIXED_PORT, SERVER + ":21", "passive", 61400),
                listener("relay", GATEWAY + ":" + RELAY_PORT, SERVER + ":21", "client", 61800)
                        .replace("data-path: kernel", "data-path: relay"),
                listener("tls", GATEWAY + ":" + TLS_PORT, SERVER + ":21", "client", 61600),
                "    client-tls: required", "    tls-certificate: " + tls.certPem(), "    tls-key: " + tls.keyPem(),
                ""));
    }

    private static String listener(String name, String listen, String upstream, String mode, int ports) {
        return String.join("\n", "  - name: " + name, "    listen: " + listen, "    upstream: " + upstream,
                "    data-path: kernel", "    upstream-mode: " + mode, "    anonymous-write: true",
                "    client-data-ports: " + ports + "-" + (ports + 99),
                "    server-data-ports: " + (ports + 100) + "-" + (ports + 199));
    }

    /** Starts ftpgate in kd-gw and waits for its five listeners. */
    void startGateway() throws Exception {
        Path log = gatewayLog(++starts);
        gateway = sh.start("kd-gw", log, NetnsProcesses.ftpgate("run", "--config", config.toString())
                .toArray(String[]::new));
        Process g = gateway;
        NetnsProcesses.waitFor(() -> Files.readString(log).split("listening on", -1).length > 5 || !g.isAlive(),
                "ftpgate to listen");
        assertThat(g.isAlive()).as(Files.readString(log)).isTrue();
    }

    /** What the last gateway started wrote (its log on standard output and error). */
    String gatewayLog() throws IOException {
        return Files.readString(gatewayLog(starts));
    }

    private Path gatewayLog(int start) {
        return dir.resolve("gateway-" + start + ".out");
    }

    /** Stops ftpgate: SIGTERM (a clean exit, its exit code returned) or SIGKILL (a crash). */
    int stopGateway(boolean crash) throws InterruptedException {
        Process g = gateway;
        gateway = null;
        if (g == null) {
            return -1;
        }
        if (crash) {
            g.destroyForcibly();
        } else {
            g.destroy();
        }
        if (!g.waitFor(15, TimeUnit.SECONDS)) {
            g.destroyForcibly();
            g.waitFor(5, TimeUnit.SECONDS);
        }
        return g.exitValue();
    }

    /** The audit log's lines. */
    List<String> audit() throws IOException {
        return Files.exists(audit) ? Files.readAllLines(audit) : List.of();
    }

    /** The audit lines after the first {@code mark} that contain {@code needle}. */
    List<String> auditSince(int mark, String needle) throws IOException {
        List<String> all = audit();
        return all.subList(Math.min(mark, all.size()), all.size()).stream().filter(l -> l.contains(needle)).toList();
    }

    /**
     * TCP segments the client and the server have retransmitted so far ({@code RetransSegs} of
     * /proc/net/snmp in kd-cli and kd-srv): each passed the gateway once more, and the kernel counted it again.
     */
    long retransmittedSegments() throws Exception {
        long n = 0;
        for (String ns : List.of("kd-cli", "kd-srv")) {
            List<String> tcp = sh.ns(10, ns, "/bin/cat", "/proc/net/snmp").out().lines()
                    .filter(l -> l.startsWith("Tcp:")).toList();
            int column = List.of(tcp.get(0).split(" ")).indexOf("RetransSegs");
            n += Long.parseLong(tcp.get(1).split(" ")[column]);
        }
        return n;
    }

    /** nft commands in kd-gw. */
    Proc nft(String commands) throws Exception {
        return sh.ns(15, "kd-gw", "/usr/sbin/nft", commands);
    }

    /** The names of the tables in kd-gw ({@code nft list tables}: "table inet NAME"). */
    String tables() throws Exception {
        return nft("list tables").out();
    }

    /** The sets and maps of {@code table} that hold elements now. */
    Set<String> setsWithElements(String table) throws Exception {
        Proc p = nft("list table inet " + table);
        assertThat(p.exit()).as(p.err()).isZero();
        Set<String> full = new TreeSet<>();
        String current = null;
        for (String line : p.out().split("\n")) {
            Matcher m = SET_HEAD.matcher(line);
            if (m.find()) {
                current = m.group(1);
            } else if (current != null && line.contains("elements = ")) {
                full.add(current);
            }
        }
        return full;
    }

    /** The greeting of the FTP server at HOST:PORT as the gateway gets it (empty when none answers). */
    String greeting(String host, int port) throws Exception {
        return sh.ns(15, "kd-gw", "/usr/bin/python3", "-c",
                "import socket,sys;s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5);"
                        + "print(s.recv(4096).decode('latin-1'))", host, String.valueOf(port)).out();
    }

    /** A kd_dialog.py scenario from kd-cli against the kernel listener: its lines. */
    List<String> scenario(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", dir.resolve("kd_dialog.py").toString()));
        cmd.addAll(List.of(args));
        Proc p = sh.ns(60, "kd-cli", cmd.toArray(String[]::new));
        assertThat(p.exit()).as("kd_dialog.py %s: %s%s", List.of(args), p.out(), p.err()).isZero();
        return List.of(p.out().split("\n"));
    }

    @Override
    public void close() throws Exception {
        stopGateway(false);
        servers.forEach(Process::destroyForcibly);
        sh.run(20, "sh", world.toString(), "down");
        NetnsProcesses.deleteTree(dir);
    }

    private Path resource(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = KernelWorld.class.getResourceAsStream(name)) {
            Files.copy(in, target);
        }
        return target;
    }

    private static String randomFile(Path file, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Files.write(file, data);
        return NetnsProcesses.sha256(data);
    }
}
