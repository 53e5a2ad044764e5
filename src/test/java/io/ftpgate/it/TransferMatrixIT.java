package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static io.ftpgate.it.RecordingAuditSink.refused;
import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.UpstreamMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transfer matrix of issue 2: client mode {PORT, PASV, EPRT, EPSV} x upstream mode {passive, active} x
 * family {IPv4 127.0.0.1, IPv6 ::1} x placement {reverse, forward}, Commons Net FTPClient → ftpgate → MINA
 * FtpServer (data-connection IP checks on).
 *
 * <p>Each cell runs one Commons Net session: STOR 10 MiB of seeded random bytes into /upload, RETR (sha256),
 * APPE 1 MiB and RETR (sha256 of the concatenation), REST 3000000 + RETR (sha256 of the tail), LIST and MLSD
 * (file present with the right size), NLST. The data-channel verb the client really sent is read from the wire
 * transcript, and the audit {@code transfer} events are checked (command, client-mode, server-mode, bytes,
 * outcome).
 *
 * <p>IPv6 and the IPv4-only verbs: PORT and 227 can only carry IPv4 addresses (RFC 959), so on an IPv6
 * control connection the PORT and PASV cells do not transfer; they assert that the verb is <em>refused</em>
 * properly: {@code PORT h1,...} from an IPv6 client → 522 + audit refused/port-family, {@code PASV} → 4xx/5xx
 * + audit refused/port-family; no data plan is left behind (a following RETR → 425 no-data-connection) and the
 * session keeps working (NOOP → 200). The IPv6 transfers are covered by the EPRT and EPSV cells. (Commons Net
 * itself never sends PASV or PORT on IPv6: its passive mode sends EPSV and its active mode EPRT, so these two
 * cells send the IPv4-only verbs explicitly with {@code sendCommand}/{@code pasv()}.)
 *
 * <p>EPRT on IPv4: Commons Net sends EPRT only for IPv6, so {@link EprtClient} turns its PORT into EPRT; EPSV
 * on IPv4 is {@code setUseEPSVwithIPv4(true)}. In every cell the transcript is checked so that the intended verb
 * (and no other data-channel verb) was really sent.
 */
class TransferMatrixIT {

    enum ClientMode { PORT, PASV, EPRT, EPSV }

    enum Family {
        IPV4("127.0.0.1", "127.0.0.1/32"), IPV6("::1", "::1/128");

        final String host;
        final String cidr;

        Family(String host, String cidr) {
            this.host = host;
            this.cidr = cidr;
        }
    }

    enum Place { REVERSE, FORWARD }

    private static final int BASE_SIZE = 10 * Bytes.MIB;
    private static final int APPEND_SIZE = Bytes.MIB;
    private static final int REST_OFFSET = 3_000_000;
    private static final List<String> DATA_VERBS = List.of("PORT", "PASV", "EPRT", "EPSV", "LPRT", "LPSV");

    @TempDir
    static Path root4;
    @TempDir
    static Path root6;
    private static final DemoUpstream upstream4 = new DemoUpstream();
    private static final DemoUpstream upstream6 = new DemoUpstream();
    private static int port4;
    private static int port6;

    @BeforeAll
    static void startUpstreams() throws Exception {
        Files.createDirectories(root4.resolve("upload"));
        Files.createDirectories(root6.resolve("upload"));
        port4 = upstream4.start(root4, true, "127.0.0.1");
        port6 = upstream6.start(root6, true, "::1");
    }

    @AfterAll
    static void stopUpstreams() {
        upstream4.stop();
        upstream6.stop();
    }

    static Stream<Arguments> cells() {
        List<Arguments> out = new ArrayList<>();
        for (Place p : Place.values()) {
            for (Family f : Family.values()) {
                for (UpstreamMode u : List.of(UpstreamMode.PASSIVE, UpstreamMode.ACTIVE)) {
                    for (ClientMode c : ClientMode.values()) {
                        out.add(Arguments.of(c, u, f, p));
                    }
                }
            }
        }
        return out.stream();
    }

    /** Commons Net sends PORT on IPv4 active mode; this client sends EPRT instead (same address and port). */
    static final class EprtClient extends FTPClient {
        @Override
        public int port(InetAddress host, int port) throws IOException {
            return eprt(host, port);
        }
    }

    @ParameterizedTest(name = "[{index}] client {0}, upstream {1}, {2}, {3}")
    @MethodSource("cells")
    void transferMatrix(ClientMode mode, UpstreamMode upstreamMode, Family family, Place place) throws Exception {
        int upstreamPort = family == Family.IPV4 ? port4 : port6;
        Path root = family == Family.IPV4 ? root4 : root6;
        GatewayFixture.Builder b = GatewayFixture.builder(family.host).mode(upstreamMode).dataPorts(52000, 53000);
        String user;
        if (place == Place.REVERSE) {
            b.upstream(family.host, upstreamPort);
            user = DemoUpstream.DEMO_USER;
        } else {
            b.allowDestination(family.cidr);
            user = DemoUpstream.DEMO_USER + "@" + (family == Family.IPV6 ? "[::1]" : "127.0.0.1") + ":" + upstreamPort;
        }
        Transcript wire = new Transcript();
        try (GatewayFixture gw = b.start()) {
            FTPClient c = mode == ClientMode.EPRT && family == Family.IPV4 ? new EprtClient() : new FTPClient();
            c.addProtocolCommandListener(wire);
            c.setConnectTimeout(5_000);
            c.setDefaultTimeout(20_000);
            c.setDataTimeout(Duration.ofSeconds(20));
            c.setBufferSize(256 * 1024);
            withDiagnostics(() -> wire + "\naudit:\n" + gw.audit.dump(), () -> {
                InetSocketAddress ga = gw.address();
                c.connect(ga.getAddress(), ga.getPort());
                assertThat(c.getReplyCode()).isEqualTo(220);
                assertThat(c.login(user, DemoUpstream.DEMO_PASSWORD)).as("login").isTrue();
                assertThat(c.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
                AuditEvent login = gw.audit.await("login");
                assertThat(login.get("outcome")).isEqualTo("ok");
                assertThat(login.get("user")).isEqualTo(DemoUpstream.DEMO_USER);
                assertThat(String.valueOf(login.get("destination"))).endsWith(":" + upstreamPort);

                if (family == Family.IPV6 && (mode == ClientMode.PORT || mode == ClientMode.PASV)) {
                    ipv4OnlyVerbRefused(c, gw, mode);
                } else {
                    String name = "m-" + mode + "-" + upstreamMode + "-" + family + "-" + place + ".bin";
                    fullCell(c, gw, wire, mode, upstreamMode, family, root, name);
                }
                assertThat(c.logout()).as("QUIT").isTrue();
                AuditEvent close = gw.audit.await("session-close");
                assertThat(close.get("reason")).isEqualTo("client-quit");
            });
            if (c.isConnected()) {
                c.disconnect();
            }
        }
    }

    /** IPv6 control connection: PORT and PASV cannot express the address; they must be refused cleanly. */
    private static void ipv4OnlyVerbRefused(FTPClient c, GatewayFixture gw, ClientMode mode) throws Exception {
        if (mode == ClientMode.PORT) {
            int code = c.sendCommand("PORT", "127,0,0,1,200,10");
            assertThat(code).as("PORT on an IPv6 control connection").isEqualTo(522);
        } else {
            int code = c.pasv();
            assertThat(code).as("PASV on an IPv6 control connection").isBetween(400, 599);
        }
        AuditEvent r = gw.audit.awaitRefused("port-family");
        assertThat(String.valueOf(r.get("input"))).startsWith(mode.name());
        // Nothing was negotiated: the next transfer has no data connection.
        assertThat(c.sendCommand("RETR", "/upload/none.bin")).isEqualTo(425);
        gw.audit.awaitRefused("no-data-connection");
        assertThat(c.sendNoOp()).as("NOOP after the refusal").isTrue();
        assertThat(gw.audit.all(type("transfer"))).isEmpty();
    }

    private static void fullCell(FTPClient c, GatewayFixture gw, Transcript wire, ClientMode mode,
            UpstreamMode upstreamMode, Family family, Path root, String name) throws Exception {
        switch (mode) {
            case PORT, EPRT -> c.enterLocalActiveMode();
            case PASV -> c.enterLocalPassiveMode();
            case EPSV -> {
                c.enterLocalPassiveMode();
                c.setUseEPSVwithIPv4(true);
            }
        }
        long seed = name.hashCode();
        byte[] base = Bytes.random(seed, BASE_SIZE);
        byte[] more = Bytes.random(seed + 1, APPEND_SIZE);
        byte[] whole = new byte[BASE_SIZE + APPEND_SIZE];
        System.arraycopy(base, 0, whole, 0, BASE_SIZE);
        System.arraycopy(more, 0, whole, BASE_SIZE, APPEND_SIZE);
        String path = "/upload/" + name;
        SoftAssertions soft = new SoftAssertions();

        // STOR
        soft.assertThat(c.storeFile(path, new ByteArrayInputStream(base))).as("STOR " + c.getReplyString()).isTrue();
        soft.assertThat(c.getReplyCode()).isEqualTo(226);
        soft.assertThat(Bytes.sha256(Files.readAllBytes(root.resolve("upload").resolve(name))))
                .as("sha256 of the file the server stored").isEqualTo(Bytes.sha256(base));
        // RETR
        soft.assertThat(retrieve(c, path)).as("sha256 of RETR").isEqualTo(Bytes.sha256(base));
        // APPE + RETR
        soft.assertThat(c.appendFile(path, new ByteArrayInputStream(more))).as("APPE " + c.getReplyString()).isTrue();
        soft.assertThat(c.getReplyCode()).isEqualTo(226);
        soft.assertThat(retrieve(c, path)).as("sha256 of RETR after APPE").isEqualTo(Bytes.sha256(whole));
        // REST + RETR (control: MINA itself honours REST, see restartedUploadResumes)
        c.setRestartOffset(REST_OFFSET);
        String tail = retrieve(c, path);
        c.setRestartOffset(0);
        soft.assertThat(wire.commands()).contains("REST " + REST_OFFSET);
        soft.assertThat(tail).as("sha256 of REST " + REST_OFFSET + " + RETR")
                .isEqualTo(Bytes.sha256(whole, REST_OFFSET, whole.length - REST_OFFSET));
        // LIST
        FTPFile[] list = c.listFiles("/upload");
        soft.assertThat(c.getReplyCode()).as("LIST").isEqualTo(226);
        soft.assertThat(Arrays.stream(list).filter(f -> f != null && name.equals(f.getName())))
                .as("LIST shows %s", name).singleElement()
                .satisfies(f -> org.assertj.core.api.Assertions.assertThat(f.getSize()).isEqualTo(whole.length));
        // MLSD
        FTPFile[] mlsd = c.mlistDir("/upload");
        soft.assertThat(c.getReplyCode()).as("MLSD").isEqualTo(226);
        soft.assertThat(Arrays.stream(mlsd).filter(f -> f != null && name.equals(f.getName())))
                .as("MLSD shows %s", name).singleElement()
                .satisfies(f -> org.assertj.core.api.Assertions.assertThat(f.getSize()).isEqualTo(whole.length));
        // NLST
        String[] names = c.listNames("/upload");
        soft.assertThat(c.getReplyCode()).as("NLST").isEqualTo(226);
        soft.assertThat(names).as("NLST").anyMatch(n -> n.equals(name) || n.endsWith("/" + name));

        // The intended data-channel verb really went on the wire, once per transfer, and no other one.
        String verb = mode.name();
        List<String> dataCommands = wire.commands().stream()
                .filter(l -> DATA_VERBS.stream().anyMatch(v -> l.equals(v) || l.startsWith(v + " "))).toList();
        soft.assertThat(dataCommands).as("data-channel commands sent").hasSize(8)
                .allMatch(l -> l.equals(verb) || l.startsWith(verb + " "));
        if (mode == ClientMode.EPRT) {
            soft.assertThat(dataCommands).allMatch(l -> l.startsWith(family == Family.IPV4 ? "EPRT |1|127.0.0.1|"
                    : "EPRT |2|"));
        }

        // Audit: one transfer event per transfer, in order, with the right modes and byte counts.
        String serverMode = switch (upstreamMode) {
            case ACTIVE -> family == Family.IPV4 ? "PORT" : "EPRT";
            default -> family == Family.IPV4 ? "PASV" : "EPSV";
        };
        List<AuditEvent> transfers = gw.audit.all(type("transfer"));
        soft.assertThat(transfers).extracting(e -> e.get("command"))
                .containsExactly("STOR", "RETR", "APPE", "RETR", "RETR", "LIST", "MLSD", "NLST");
        long[] bytes = {BASE_SIZE, BASE_SIZE, APPEND_SIZE, whole.length, whole.length - REST_OFFSET};
        for (int i = 0; i < transfers.size(); i++) {
            AuditEvent t = transfers.get(i);
            soft.assertThat(t.get("client-mode")).as("client-mode of %s", t).isEqualTo(verb);
            soft.assertThat(t.get("server-mode")).as("server-mode of %s", t).isEqualTo(serverMode);
            soft.assertThat(t.get("outcome")).as("outcome of %s", t).isEqualTo("ok");
            soft.assertThat(t.get("reply")).as("reply of %s", t).isEqualTo(226);
            if (i < bytes.length) {
                soft.assertThat(t.get("path")).as("path of %s", t).isEqualTo(path);
                soft.assertThat(((Number) t.get("bytes")).longValue()).as("bytes of %s", t).isEqualTo(bytes[i]);
            } else {
                soft.assertThat(((Number) t.get("bytes")).longValue()).as("bytes of %s", t).isPositive();
            }
        }
        soft.assertThat(gw.audit.all(type("refused"))).as("no refusals in a clean session").isEmpty();
        soft.assertAll();
    }

    // ------------------------------------------------------------------ mixed address families

    static Stream<Arguments> mixedCells() {
        List<Arguments> out = new ArrayList<>();
        for (Family client : Family.values()) {
            Family server = client == Family.IPV4 ? Family.IPV6 : Family.IPV4;
            for (UpstreamMode u : List.of(UpstreamMode.PASSIVE, UpstreamMode.ACTIVE)) {
                for (ClientMode c : ClientMode.values()) {
                    if (client == Family.IPV6 && (c == ClientMode.PORT || c == ClientMode.PASV)) {
                        continue; // IPv4-only verbs, see the class comment
                    }
                    out.add(Arguments.of(c, u, client, server));
                }
            }
        }
        return out.stream();
    }

    /**
     * IPv4 client to IPv6 server and the reverse (issue 2: "EPSV/EPRT on the IPv6 side"): reverse placement,
     * STOR + RETR of 1 MiB, and the server-side verb must be the one of the server's family.
     */
    @ParameterizedTest(name = "[{index}] client {0} over {2}, upstream {1} over {3}")
    @MethodSource("mixedCells")
    void mixedFamilies(ClientMode mode, UpstreamMode upstreamMode, Family clientFamily, Family serverFamily)
            throws Exception {
        int upstreamPort = serverFamily == Family.IPV4 ? port4 : port6;
        Transcript wire = new Transcript();
        try (GatewayFixture gw = GatewayFixture.builder(clientFamily.host).mode(upstreamMode).dataPorts(52000, 53000)
                .upstream(serverFamily.host, upstreamPort).start()) {
            FTPClient c = mode == ClientMode.EPRT && clientFamily == Family.IPV4 ? new EprtClient() : new FTPClient();
            c.addProtocolCommandListener(wire);
            c.setDefaultTimeout(20_000);
            c.setDataTimeout(Duration.ofSeconds(20));
            withDiagnostics(() -> wire + "\naudit:\n" + gw.audit.dump(), () -> {
                c.connect(gw.address().getAddress(), gw.address().getPort());
                assertThat(c.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).isTrue();
                c.setFileType(FTP.BINARY_FILE_TYPE);
                switch (mode) {
                    case PORT, EPRT -> c.enterLocalActiveMode();
                    case PASV -> c.enterLocalPassiveMode();
                    case EPSV -> {
                        c.enterLocalPassiveMode();
                        c.setUseEPSVwithIPv4(true);
                    }
                }
                String name = "x-" + mode + "-" + upstreamMode + "-" + clientFamily + "-" + serverFamily + ".bin";
                byte[] content = Bytes.random(name.hashCode(), Bytes.MIB);
                assertThat(c.storeFile("/upload/" + name, new ByteArrayInputStream(content))).isTrue();
                assertThat(retrieve(c, "/upload/" + name)).isEqualTo(Bytes.sha256(content));
                assertThat(wire.sentVerb(mode.name())).as("%s sent", mode).isTrue();
                String serverMode = switch (upstreamMode) {
                    case ACTIVE -> serverFamily == Family.IPV4 ? "PORT" : "EPRT";
                    default -> serverFamily == Family.IPV4 ? "PASV" : "EPSV";
                };
                assertThat(gw.audit.all(type("transfer"))).hasSize(2).allSatisfy(t -> {
                    assertThat(t.get("client-mode")).isEqualTo(mode.name());
                    assertThat(t.get("server-mode")).isEqualTo(serverMode);
                    assertThat(t.get("outcome")).isEqualTo("ok");
                    assertThat(((Number) t.get("bytes")).longValue()).isEqualTo(Bytes.MIB);
                });
                c.logout();
            });
            c.disconnect();
        }
    }

    // ------------------------------------------------------------------ restart markers (REST)

    /**
     * Control experiment plus gateway: REST 2 MiB + STOR of the second half resumes an interrupted upload.
     * Directly against MINA the file ends up whole; through the gateway it must too (RFC 959: REST "shall be
     * immediately followed by the appropriate FTP service command", so a gateway must not put its own PASV/PORT
     * between the client's REST and the transfer command).
     */
    @ParameterizedTest(name = "[{index}] upstream {0}")
    @MethodSource("upstreamModes")
    void restartedUploadResumes(UpstreamMode upstreamMode) throws Exception {
        byte[] whole = Bytes.random(123, 4 * Bytes.MIB);
        int half = 2 * Bytes.MIB;
        byte[] first = Arrays.copyOfRange(whole, 0, half);
        byte[] second = Arrays.copyOfRange(whole, half, whole.length);
        // Control: straight to MINA.
        FTPClient direct = new FTPClient();
        direct.setDefaultTimeout(20_000);
        direct.connect("127.0.0.1", port4);
        assertThat(direct.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).isTrue();
        direct.setFileType(FTP.BINARY_FILE_TYPE);
        direct.enterLocalPassiveMode();
        assertThat(direct.storeFile("/upload/rest-direct.bin", new ByteArrayInputStream(first))).isTrue();
        direct.setRestartOffset(half);
        assertThat(direct.storeFile("/upload/rest-direct.bin", new ByteArrayInputStream(second))).isTrue();
        direct.logout();
        direct.disconnect();
        assertThat(Bytes.sha256(Files.readAllBytes(root4.resolve("upload/rest-direct.bin"))))
                .as("control experiment without the gateway").isEqualTo(Bytes.sha256(whole));

        Transcript wire = new Transcript();
        String name = "rest-gw-" + upstreamMode + ".bin";
        try (GatewayFixture gw = GatewayFixture.builder("127.0.0.1").mode(upstreamMode).dataPorts(52000, 53000)
                .upstream("127.0.0.1", port4).start()) {
            FTPClient c = new FTPClient();
            c.addProtocolCommandListener(wire);
            c.setDefaultTimeout(20_000);
            withDiagnostics(() -> wire + "\naudit:\n" + gw.audit.dump(), () -> {
                c.connect(gw.address().getAddress(), gw.address().getPort());
                assertThat(c.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).isTrue();
                c.setFileType(FTP.BINARY_FILE_TYPE);
                c.enterLocalPassiveMode();
                assertThat(c.storeFile("/upload/" + name, new ByteArrayInputStream(first))).isTrue();
                c.setRestartOffset(half);
                assertThat(c.storeFile("/upload/" + name, new ByteArrayInputStream(second))).isTrue();
                assertThat(wire.commands()).contains("REST " + half);
                byte[] stored = Files.readAllBytes(root4.resolve("upload").resolve(name));
                assertThat(stored.length).as("size of the resumed upload on the server").isEqualTo(whole.length);
                assertThat(Bytes.sha256(stored)).as("sha256 of the resumed upload").isEqualTo(Bytes.sha256(whole));
                c.logout();
            });
            c.disconnect();
        }
    }

    static Stream<UpstreamMode> upstreamModes() {
        return Stream.of(UpstreamMode.PASSIVE, UpstreamMode.ACTIVE);
    }

    private static String retrieve(FTPClient c, String path) throws IOException {
        Bytes.HashingSink sink = new Bytes.HashingSink();
        assertThat(c.retrieveFile(path, sink)).as("RETR " + path + ": " + c.getReplyString()).isTrue();
        assertThat(c.getReplyCode()).isEqualTo(FTPReply.CLOSING_DATA_CONNECTION);
        return sink.sha256();
    }
}
