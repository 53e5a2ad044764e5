package io.ftpgate.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.ProxyFront;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.PortRange;
import io.ftpgate.proxy.ProxyVersion;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Data design 2: the balancer forwards the passive range too, each data connection starting with a PROXY header
 * ({@code data-proxy-protocol}); the pinhole binds to the client the header names and strips the header, which
 * must never reach a file. The balancer is a real PROXY sender in the JVM ({@link ProxyFront}), the client
 * Commons Net, the server Apache MINA; files are compared by SHA-256 both ways, with the header whole, split
 * across two segments, and sharing its segment with the upload's first bytes.
 */
class DataProxyIT extends ProxyITBase {

    static final String BALANCER = ProxyProtocolIT.BALANCER;
    static final String FRONT = ProxyProtocolIT.FRONT;
    /** Above the kernel's ephemeral range (32768-60999), where no outgoing connection of the build can hold it. */
    static final int LOW = 65400;
    static final int HIGH = 65401;

    /** ftpgate behind the front: control and the two data ports forwarded with headers; returns the front port. */
    private int start(ProxyFront.Framing framing) throws Exception {
        fixture();
        InetSocketAddress gw = fx.start(ListenerConfig.builder("pool").clientDataPorts(new PortRange(LOW, HIGH))
                .proxy(ProxyFixture.proxy(ProxyVersion.V2, ProxyVersion.V2)));
        ProxyFront front = fx.front(HAProxyProtocolVersion.V2).framing(framing);
        front.forwardRange(FRONT, LOW, HIGH, "127.0.0.1");
        return front.forward(FRONT, 0, gw);
    }

    static FTPClient client(String from, InetAddress host, int port) throws Exception {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(10_000);
        c.connect(host, port, InetAddress.getByName(from), 0);
        c.setPassiveLocalIPAddress(from);
        assertThat(c.login("writer", "s3cret-writer-pw")).as(c.getReplyString()).isTrue();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        c.enterLocalPassiveMode();
        return c;
    }

    @ParameterizedTest
    @EnumSource(ProxyFront.Framing.class)
    void theHeaderNeverReachesTheFileEitherWay(ProxyFront.Framing framing) throws Exception {
        int port = start(framing);
        byte[] up = Bytes.random(framing.ordinal(), 3 * Bytes.MIB + 7);
        FTPClient c = client("127.0.0.2", InetAddress.getByName(FRONT), port);
        assertThat(c.storeFile("up.bin", new ByteArrayInputStream(up))).as(c.getReplyString()).isTrue();
        assertThat(Bytes.sha256(Files.readAllBytes(root.resolve("up.bin")))).isEqualTo(Bytes.sha256(up));
        c.setUseEPSVwithIPv4(true);
        ByteArrayOutputStream down = new ByteArrayOutputStream();
        assertThat(c.retrieveFile("up.bin", down)).as(c.getReplyString()).isTrue();
        assertThat(Bytes.sha256(down.toByteArray())).isEqualTo(Bytes.sha256(up));
        c.logout();
        c.disconnect();
        assertThat(audit.all(RecordingAuditSink.type("transfer")))
                .hasSize(2).allSatisfy(t -> assertThat(t.get("bytes")).isEqualTo((long) up.length))
                .allSatisfy(t -> assertThat((String) t.get("client")).startsWith("127.0.0.2:"));
        assertThat(audit.all(RecordingAuditSink.type("refused"))).isEmpty();
    }

    @Test
    void aPinholeRefusesAConnectionWithoutTheBalancersHeaderOrForAnotherClient() throws Exception {
        int port = start(ProxyFront.Framing.WHOLE);
        try (RawFtp c = RawFtp.openFrom(new InetSocketAddress(FRONT, port), "127.0.0.2")) {
            c.login("writer", "s3cret-writer-pw");
            int data = RawFtp.epsvPort(c.cmd("EPSV"));
            // Straight to the pinhole, around the balancer: not trusted, whatever it would send.
            try (Socket direct = RawFtp.dataConnect("127.0.0.1", data, "127.0.0.2")) {
                assertThat(RawFtp.readAll(direct)).isEmpty();
            }
            AuditEvent r = audit.awaitRefused("proxy-untrusted");
            assertThat(r.get("side")).isEqualTo("client");
            assertThat((String) r.get("input")).startsWith("127.0.0.2:");
            // Through the balancer but from another client: the header names 127.0.0.3, not the session's client.
            try (Socket other = RawFtp.dataConnect(FRONT, data, "127.0.0.3")) {
                assertThat(RawFtp.readAll(other)).isEmpty();
            }
            assertThat((String) audit.awaitRefused("data-peer-mismatch").get("input")).startsWith("127.0.0.3:");
            // The pinhole still waits for its own client.
            try (Socket own = RawFtp.dataConnect(FRONT, data, "127.0.0.2")) {
                assertThat(c.cmd("LIST").code()).isEqualTo(150);
                assertThat(new String(RawFtp.readAll(own))).contains("hello.txt");
                assertThat(c.read().code()).isEqualTo(226);
            }
        }
    }

    @Test
    void anUploadWhoseLastBytesAndFinArriveWithTheHeaderIsStoredWhole() throws Exception {
        // One port for two sessions: the second session's data connection is read on the port's event loop (the
        // first session's) and then moves to its own; its FIN comes in the same segment as the header and data.
        fixture();
        InetSocketAddress gw = fx.start(ListenerConfig.builder("pool").clientDataPorts(new PortRange(LOW, LOW))
                .proxy(ProxyFixture.proxy(ProxyVersion.V2, ProxyVersion.V2)));
        ProxyFront front = fx.front(HAProxyProtocolVersion.V2);
        int port = front.forward(FRONT, 0, gw);
        try (RawFtp a = RawFtp.openFrom(new InetSocketAddress(FRONT, port), "127.0.0.2");
                RawFtp b = RawFtp.openFrom(new InetSocketAddress(FRONT, port), "127.0.0.3")) {
            a.login("writer", "s3cret-writer-pw");
            b.login("writer", "s3cret-writer-pw");
            assertThat(RawFtp.epsvPort(a.cmd("EPSV"))).isEqualTo(LOW);
            assertThat(RawFtp.epsvPort(b.cmd("EPSV"))).isEqualTo(LOW);
            byte[] header = front.header(new InetSocketAddress("127.0.0.3", 40001), new InetSocketAddress(FRONT, LOW));
            byte[] body = "the whole file\n".getBytes(StandardCharsets.US_ASCII);
            try (Socket data = RawFtp.dataConnect("127.0.0.1", LOW, BALANCER)) {
                byte[] all = new byte[header.length + body.length];
                System.arraycopy(header, 0, all, 0, header.length);
                System.arraycopy(body, 0, all, header.length, body.length);
                data.getOutputStream().write(all);
                data.shutdownOutput();
                assertThat(b.cmd("STOR small.txt").code()).isEqualTo(150);
                assertThat(b.read().code()).isEqualTo(226);
            }
            assertThat(Files.readAllBytes(root.resolve("small.txt"))).isEqualTo(body);
        }
    }
}
