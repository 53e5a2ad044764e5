package io.ftpgate.it.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.UpstreamMode;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.GatewayFixture;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.ScriptedFtpServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Catalogue items 1-4 and 18 on the client side: data addresses in PORT/EPRT that name a third party, an
 * internal host, a privileged or zero port, or overflow a field; and the other data-channel verbs. The gateway
 * answers PORT/EPRT itself, so none of these lines may ever reach the server.
 */
class DataAddressAttacksIT extends CatalogueSupport {

    // ---------------------------------------------------------------- 1. FTP bounce

    @Test
    void thirdPartyPortIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String port : new String[] {"PORT 1,2,3,4,192,6", "PORT 127,0,0,2,192,6", "PORT 127,0,0,9,0,25"}) {
                assertThat(ftp.cmd(port).code()).as(port).isEqualTo(501);
                refusedInput("port-foreign-address", 501, port);
            }
            assertThat(ftp.cmd("RETR f").code()).as("RETR after the refused PORTs").isEqualTo(425);
            refused("no-data-connection", 425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
            assertThat(server.commands).doesNotContain("RETR f");
        });
    }

    @Test
    void thirdPartyEprtIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String eprt : new String[] {"EPRT |1|1.2.3.4|49158|", "EPRT |1|127.0.0.2|49158|",
                "EPRT |1|127.0.0.3|25|"}) {
                assertThat(ftp.cmd(eprt).code()).as(eprt).isEqualTo(501);
                refusedInput("port-foreign-address", 501, eprt);
            }
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    /** Upstream active: the only PORT the server ever sees is the gateway's own, naming the gateway. */
    @Test
    void bounceThroughTheServerSideLegIsImpossible() throws Exception {
        server = new ScriptedFtpServer();
        server.activeData = true;
        gw = reverseTo(server).mode(UpstreamMode.ACTIVE).start();
        login();
        try (ServerSocket mine = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            attack(() -> {
                assertThat(ftp.cmd("PORT 127,0,0,2,192,6").code()).isEqualTo(501);
                refused("port-foreign-address", 501);
                assertThat(ftp.cmd(portCmd(mine.getLocalPort())).code()).isEqualTo(200);
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                try (Socket d = mine.accept()) {
                    assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                assertThat(server.commands).filteredOn(c -> c.startsWith("PORT") || c.startsWith("EPRT"))
                        .as("data addresses the server was given").singleElement().asString()
                        .startsWith("PORT 127,0,0,1,");
                assertThat(server.dataPeers).as("where the server connected").containsExactly("127.0.0.1");
            });
        }
    }

    // ---------------------------------------------------------------- 2. dynamic-filter hole

    /** From control peer 127.0.0.5 (security.md: 10.0.0.5): PORT to another internal host, and to its own port 22. */
    @Test
    void dynamicFilterPortToInternalHostIsRefused() throws Exception {
        server = new ScriptedFtpServer();
        gw = reverseTo(server).start();
        releaseTraps("127.0.0.5");
        trap("127.0.0.5", 22);
        ftp = RawFtp.openFrom(gw.address(), "127.0.0.5");
        ftp.login("anonymous", PASSWORD);
        try (ServerSocket mine = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.5"))) {
            attack(() -> {
                assertThat(ftp.cmd("PORT 127,0,0,9,4,1").code()).isEqualTo(501);
                refusedInput("port-foreign-address", 501, "PORT 127,0,0,9,4,1");
                assertThat(ftp.cmd("PORT 127,0,0,5,0,22").code()).isEqualTo(501);
                refusedInput("port-privileged", 501, "PORT 127,0,0,5,0,22");
                assertThat(ftp.cmd("EPRT |1|127.0.0.1|" + (mine.getLocalPort()) + "|").code())
                        .as("EPRT naming the gateway host (not this client's address)").isEqualTo(501);
                // The one pinhole allowed: from the control peer, to a port >= 1024.
                assertThat(ftp.cmd(portArgCmd("127.0.0.5", mine.getLocalPort())).code()).isEqualTo(200);
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                try (Socket d = mine.accept()) {
                    assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                assertSessionSurvives();
                assertServerSawNoDataAddressFromClient();
            });
        }
    }

    // ---------------------------------------------------------------- 3. privileged or zero port

    @Test
    void privilegedPortIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String cmd : new String[] {"PORT 127,0,0,1,0,25", "EPRT |1|127.0.0.1|25|", "PORT 127,0,0,1,3,255",
                "EPRT |1|127.0.0.1|1023|"}) {
                assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(501);
                refusedInput("port-privileged", 501, cmd);
            }
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertThat(ftp.cmd("EPRT |1|127.0.0.1|1024|").code()).as("the lowest data port").isEqualTo(200);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    @Test
    void zeroPortIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd("PORT 0,0,0,0,0,0").code()).isEqualTo(501);
            refusedInput("port-foreign-address", 501, "PORT 0,0,0,0,0,0");
            assertThat(ftp.cmd("PORT 127,0,0,1,0,0").code()).isEqualTo(501);
            refusedInput("port-privileged", 501, "PORT 127,0,0,1,0,0");
            assertThat(ftp.cmd("EPRT |1|127.0.0.1|0|").code()).isEqualTo(501);
            refusedInput("port-privileged", 501, "EPRT |1|127.0.0.1|0|");
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    // ---------------------------------------------------------------- 4. octet / integer overflow

    /** Linux conntrack read {@code 256,22} as port 22 until 2026; here the client's own port 22 is trapped too. */
    @Test
    void octetOverflowInPortIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String cmd : new String[] {"PORT 10,0,1,2,256,22", "PORT 127,0,0,1,256,22", "PORT 127,0,0,1,1,278",
                "PORT 383,0,0,1,4,1"}) {
                assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(501);
                refusedInput("port-syntax", 501, cmd);
            }
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    /** 65558 is 22 modulo 65536. */
    @Test
    void eprtPortOverflowIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String cmd : new String[] {"EPRT |1|1.2.3.4|65558|", "EPRT |1|127.0.0.1|65558|",
                "EPRT |1|127.0.0.1|4294967318|", "EPRT |1|127.0.0.1|000001025|"}) {
                assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(501);
                refusedInput("port-syntax", 501, cmd);
            }
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
        });
    }

    /**
     * pyftpdlib's table (tests/test_functional.py), plus its differential: pyftpdlib checks only
     * {@code p1*256+p2 <= 65535} and so accepts {@code 0,300}; the gateway refuses any octet above 255.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"port 127,0,0,1,1.1", "port X,0,0,1,1,1", "port 127,0,0,1,1,1,1", "port 127,0,0,1",
        "port 256,0,0,1,1,1", "port 127,0,0,1,256,1", "port 127,0,0,1,-1,0", "eprt ||||", "eprt |1|1.2.3.256|2048|",
        "eprt |1|127.0.0.1|65536|", "eprt |1|127.0.0.1|-1|", "port 127,0,0,1,0,300"})
    void pyftpdlibMalformedAddressTableIsRefused(String cmd) throws Exception {
        malformed(cmd);
    }

    /** Derived: signs, extra digits, short and octal forms, host names, trailing fields. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PORT +127,0,0,1,4,1", "PORT 127,0,0,1,0004,1", "PORT 127,0,0,1,4,1,", "PORT 127,0,0,1,,4,1",
        "PORT 4294967423,0,0,1,4,1", "PORT 127.0.0.1,4,1", "PORT 127,0,0,1,4, 1", "EPRT |1|127.1|1025|",
        "EPRT |1|0x7f.0.0.1|1025|", "EPRT |1|127.000.000.001|1025|", "EPRT |1|localhost|1025|",
        "EPRT |1|127.0.0.1|+1025|", "EPRT |1|127.0.0.1|1025", "EPRT |1|127.0.0.1|1025|x|", "EPRT |1|127.0.0.1| 1025|"})
    void integerOverflowAndFormVariantsAreRefused(String cmd) throws Exception {
        malformed(cmd);
    }

    private void malformed(String cmd) throws Exception {
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(501);
            assertThat(String.valueOf(refused("port-syntax", 501).get("input"))).isEqualToIgnoringCase(cmd);
            assertThat(ftp.cmd("RETR f").code()).as("no plan came from the refused command").isEqualTo(425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    // ---------------------------------------------------------------- 18. other data-channel verbs

    @Test
    void lprtAndLpsvAreNotImplemented() throws Exception {
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd("LPRT 4,4,127,0,0,2,2,192,6").code()).isEqualTo(502);
            refusedInput("long-address-unsupported", 502, "LPRT 4,4,127,0,0,2,2,192,6");
            assertThat(ftp.cmd("LPSV").code()).isEqualTo(502);
            refusedInput("long-address-unsupported", 502, "LPSV");
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    /** RFC 2428: the delimiter may be any of 33-126; it does not change the address check. */
    @Test
    void eprtWithAnyDelimiterIsAccepted() throws Exception {
        scriptedSession();
        try (ServerSocket mine = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            int p = mine.getLocalPort();
            attack(() -> {
                assertThat(ftp.cmd("EPRT ~1~127.0.0.2~" + p + "~").code()).isEqualTo(501);
                refusedInput("port-foreign-address", 501, "EPRT ~1~127.0.0.2~" + p + "~");
                assertThat(ftp.cmd("EPRT !1!127.0.0.1!" + p + "!").code()).isEqualTo(200);
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                try (Socket d = mine.accept()) {
                    assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                assertThat(gw.audit.await("transfer").get("client-mode")).isEqualTo("EPRT");
                assertThat(gw.audit.all(io.ftpgate.it.RecordingAuditSink.type("refused"))).hasSize(1);
                assertServerSawNoDataAddressFromClient();
            });
        }
    }

    /** IPv4 control: an IPv4-mapped EPRT address is compared canonically, like pyftpdlib strips ::ffff:. */
    @Test
    void ipv4MappedEprtIsCanonicalised() throws Exception {
        scriptedSession();
        try (ServerSocket mine = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            int p = mine.getLocalPort();
            attack(() -> {
                for (String bad : new String[] {"EPRT |2|::ffff:127.0.0.2|" + p + "|",
                    "EPRT |2|0:0:0:0:0:ffff:7f00:2|" + p + "|"}) {
                    assertThat(ftp.cmd(bad).code()).as(bad).isEqualTo(501);
                    refusedInput("port-foreign-address", 501, bad);
                }
                assertThat(ftp.cmd("EPRT |2|::1|" + p + "|").code()).as("a real IPv6 address").isEqualTo(522);
                refused("port-family", 522);
                assertThat(ftp.cmd("EPRT |2|::ffff:127.0.0.1|" + p + "|").code()).isEqualTo(200);
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                try (Socket d = mine.accept()) {
                    assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                assertServerSawNoDataAddressFromClient();
            });
        }
    }

    /** IPv6 control (::1): a mapped IPv4 address is another family; a non-canonical spelling of ::1 is the same. */
    @Test
    void ipv4MappedEprtOnIpv6ControlIsRefused() throws Exception {
        server = new ScriptedFtpServer("::1");
        gw = GatewayFixture.builder("::1").upstream("::1", server.port()).dataPorts(CLIENT_PORTS, SERVER_PORTS)
                .start();
        login();
        try (ServerSocket mine = new ServerSocket(0, 4, InetAddress.getByName("::1"))) {
            int p = mine.getLocalPort();
            attack(() -> {
                for (String bad : new String[] {"EPRT |2|::ffff:127.0.0.1|" + p + "|",
                    "EPRT |2|::ffff:127.0.0.2|" + p + "|", "EPRT |1|127.0.0.2|" + p + "|", "PORT 127,0,0,2,192,6"}) {
                    assertThat(ftp.cmd(bad).code()).as(bad).isEqualTo(522);
                    refusedInput("port-family", 522, bad);
                }
                for (String bad : new String[] {"EPRT |2|::1%lo|" + p + "|", "EPRT |2|[::1]|" + p + "|",
                    "EPRT |2|::1::|" + p + "|"}) {
                    assertThat(ftp.cmd(bad).code()).as(bad).isEqualTo(501);
                    refusedInput("port-syntax", 501, bad);
                }
                assertThat(ftp.cmd("EPRT |2|::2|" + p + "|").code()).isEqualTo(501);
                refusedInput("port-foreign-address", 501, "EPRT |2|::2|" + p + "|");
                assertThat(ftp.cmd("EPRT |2|0:0:0:0:0:0:0:1|" + p + "|").code()).isEqualTo(200);
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                try (Socket d = mine.accept()) {
                    assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                assertSessionSurvives();
                assertServerSawNoDataAddressFromClient();
            });
        }
    }

    /** RFC 2428 section 4; pyftpdlib: {@code 501 PORT not allowed after EPSV ALL.} */
    @Test
    void portAfterEpsvAllIsRefused() throws Exception {
        scriptedSession();
        server.retrData = Bytes.random(3, 10_000);
        attack(() -> {
            assertThat(ftp.cmd("EPSV ALL").code()).isEqualTo(200);
            for (String cmd : new String[] {"PORT 127,0,0,1,192,6", "EPRT |1|127.0.0.1|49158|", "PASV"}) {
                assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(501);
                refusedInput("epsv-all", 501, cmd);
            }
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertServerSawNoDataAddressFromClient();
        });
    }

    @Test
    void unknownNetworkProtocolIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String cmd : new String[] {"EPRT |3|127.0.0.1|49158|", "EPRT |2|::1|49158|", "EPSV 3", "EPSV 2"}) {
                assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(522);
                refusedInput("port-family", 522, cmd);
            }
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
        });
    }

    private static String portCmd(int port) {
        return "PORT " + portArg("127.0.0.1", port);
    }

    private static String portArgCmd(String host, int port) {
        return "PORT " + portArg(host, port);
    }
}
