package io.ftpgate.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.ProxyFront;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.PortRange;
import io.ftpgate.proxy.ProxyVersion;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * PROXY protocol in, on the control connection: a real sender (a balancer in the JVM that writes Netty's
 * encoding of the header) in front of ftpgate in front of Apache MINA, with Commons Net as the client. The
 * client's own address (127.0.0.2, ...) counts for policy, the PORT rule and audit, the balancer's (127.0.0.9) is
 * recorded as {@code via}; anything but a timely header from a trusted balancer is refused with its reason.
 */
class ProxyProtocolIT extends ProxyITBase {

    static final String BALANCER = ProxyFixture.BALANCER;
    static final String FRONT = ProxyFixture.FRONT;

    ProxyFront front;

    private InetSocketAddress start(ProxyVersion in, List<String> allowClient) throws Exception {
        fixture();
        return fx.start(ListenerConfig.builder("proxied").publicAddress("127.0.0.1")
                .clientDataPorts(new PortRange(47100, 47199))
                .allowClient(allowClient.stream().map(Cidr::parse).toList())
                .proxy(ProxyFixture.proxy(in, ProxyVersion.OFF)));
    }

    private FTPClient client(String from, int frontPort) throws Exception {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(10_000);
        // Data design 1 (public-address per instance): connect where the 227 says. Commons Net 3.9+ by default
        // connects to the control connection's address instead (as curl 7.74+ does): the balancer's.
        c.setIpAddressFromPasvResponse(true);
        // Active data connections come from the instance itself, not from the balancer the client connected to.
        c.setRemoteVerificationEnabled(false);
        c.connect(InetAddress.getByName(FRONT), frontPort, InetAddress.getByName(from), 0);
        c.setPassiveLocalIPAddress(from); // the data connections come from the same client host
        assertThat(c.login("writer", "s3cret-writer-pw")).as(c.getReplyString()).isTrue();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        return c;
    }

    @Test
    void theRealClientCountsForTransfersAndAuditAndTheBalancerIsRecordedAsVia() throws Exception {
        InetSocketAddress gw = start(ProxyVersion.V2, List.of());
        front = fx.front(HAProxyProtocolVersion.V2);
        int port = front.forward(FRONT, 0, gw);
        byte[] up = Bytes.random(16, 1 << 20);
        FTPClient c = client("127.0.0.2", port);
        c.enterLocalPassiveMode();
        assertThat(c.storeFile("up.bin", new ByteArrayInputStream(up))).as(c.getReplyString()).isTrue();
        assertThat(Bytes.sha256(Files.readAllBytes(root.resolve("up.bin")))).isEqualTo(Bytes.sha256(up));
        // Active: ftpgate connects back to the client's real address, the only one PORT may name.
        c.enterLocalActiveMode();
        ByteArrayOutputStream down = new ByteArrayOutputStream();
        assertThat(c.retrieveFile("up.bin", down)).as(c.getReplyString()).isTrue();
        assertThat(Bytes.sha256(down.toByteArray())).isEqualTo(Bytes.sha256(up));
        c.logout();
        c.disconnect();
        AuditEvent open = audit.await("session-open");
        assertThat((String) open.get("client")).startsWith("127.0.0.2:");
        assertThat((String) open.get("via")).startsWith(BALANCER + ":");
        assertThat((String) open.get("gateway")).isEqualTo(FRONT + ":" + port);
        audit.awaitEvent(e -> "transfer".equals(e.event()) && "RETR".equals(e.get("command")), Duration.ofSeconds(10));
        assertThat(audit.all(RecordingAuditSink.type("transfer")))
                .allSatisfy(t -> assertThat((String) t.get("client")).startsWith("127.0.0.2:"))
                .allSatisfy(t -> assertThat(t.get("outcome")).isEqualTo("ok"));
    }

    @Test
    void policyJudgesTheClientTheHeaderNames() throws Exception {
        InetSocketAddress gw = start(ProxyVersion.ANY, List.of("127.0.0.2/32"));
        front = fx.front(HAProxyProtocolVersion.V1);
        int port = front.forward(FRONT, 0, gw);
        try (RawFtp ok = RawFtp.connectFrom(new InetSocketAddress(FRONT, port), "127.0.0.2");
                RawFtp no = RawFtp.connectFrom(new InetSocketAddress(FRONT, port), "127.0.0.3")) {
            assertThat(ok.read().code()).isEqualTo(220);
            assertThat(no.read().code()).isEqualTo(421);
        }
        AuditEvent r = audit.awaitRefused("client-not-allowed");
        assertThat((String) r.get("client")).startsWith("127.0.0.3:");
    }

    @Test
    void aHeaderSplitAcrossSegmentsOrFollowedByACommandIsReadWhole() throws Exception {
        InetSocketAddress gw = start(ProxyVersion.V2, List.of());
        front = fx.front(HAProxyProtocolVersion.V2).framing(ProxyFront.Framing.SPLIT);
        int port = front.forward(FRONT, 0, gw);
        try (RawFtp c = RawFtp.connectFrom(new InetSocketAddress(FRONT, port), "127.0.0.2")) {
            assertThat(c.read().code()).isEqualTo(220);
            assertThat(c.cmd("USER anonymous").code()).isEqualTo(331);
        }
        // Straight from the balancer: the header and USER in one segment.
        try (RawFtp c = RawFtp.connectFrom(gw, BALANCER)) {
            byte[] header = front.header(new InetSocketAddress("127.0.0.4", 40000), new InetSocketAddress(FRONT, 21));
            byte[] user = "USER anonymous\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] both = new byte[header.length + user.length];
            System.arraycopy(header, 0, both, 0, header.length);
            System.arraycopy(user, 0, both, header.length, user.length);
            c.sendRaw(both);
            assertThat(c.read().code()).isEqualTo(220);
            assertThat(c.read().code()).isEqualTo(331);
        }
        assertThat(audit.all(RecordingAuditSink.type("session-open")))
                .anySatisfy(e -> assertThat(e.get("client")).isEqualTo("127.0.0.4:40000"));
    }

    @Test
    void anUntrustedPeerAMissingMalformedOrWrongHeaderAndASlowOneAreRefused() throws Exception {
        InetSocketAddress gw = start(ProxyVersion.V2, List.of());
        ProxyFront v1 = new ProxyFront(BALANCER, HAProxyProtocolVersion.V1);
        // Not the balancer: refused before a byte is read, whatever it would send.
        refused(gw, "127.0.0.1", new byte[0], "proxy-untrusted", "127.0.0.1:");
        refused(gw, BALANCER, "USER anonymous\r\n".getBytes(StandardCharsets.US_ASCII), "proxy-header-missing",
                BALANCER + ":");
        refused(gw, BALANCER, v1.header(new InetSocketAddress("127.0.0.2", 1), new InetSocketAddress(FRONT, 21)),
                "proxy-version", BALANCER + ":");
        byte[] bad = new ProxyFront(BALANCER, HAProxyProtocolVersion.V2).header(
                new InetSocketAddress("127.0.0.2", 1), new InetSocketAddress(FRONT, 21));
        bad[13] = 0x7f; // an address family that does not exist
        refused(gw, BALANCER, bad, "proxy-header-malformed", BALANCER + ":");
        // The first bytes of a header and no more: cut off after ProxyHeaderReader.HEADER_TIMEOUT.
        refused(gw, BALANCER, new byte[] {0x0D, 0x0A, 0x0D, 0x0A}, "proxy-header-timeout", BALANCER + ":");
        assertThat(audit.all(RecordingAuditSink.type("session-open"))).as("no session was started").isEmpty();
    }

    private void refused(InetSocketAddress gw, String from, byte[] send, String reason, String client)
            throws Exception {
        try (RawFtp c = RawFtp.connectFrom(gw, from)) {
            if (send.length > 0) {
                c.sendRaw(send);
            }
            assertThat(c.awaitClose(Duration.ofSeconds(10))).as("nothing is answered").isEmpty();
        }
        AuditEvent r = audit.awaitRefused(reason);
        assertThat((String) r.get("client")).startsWith(client);
        assertThat(r.get("session")).isNotNull();
    }
}
