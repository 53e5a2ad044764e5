package io.ftpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syslog and journal copies of the audit log, received by real sockets: a UDP syslog receiver on loopback and
 * a local datagram socket (as /dev/log and the journal's socket are). Each receives one datagram per event from
 * the audit trail, and the message carries the same JSON as the audit file.
 */
class DatagramAuditSinkTest {

    /** How long a receiver waits for a datagram that must come; a failure, not a timing assertion. */
    private static final int RECEIVE_TIMEOUT_MS = 10_000;
    private static final Pattern RFC5424 = Pattern.compile(
            "<(\\d{1,3})>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) (\\S+) (\\S+) (\\d+) (\\S+) - (\\{.*\\})");
    private static final SessionEvent.Origin O = new SessionEvent.Origin("s7", "198.51.100.7:40000");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<SessionEvent> events() {
        return List.of(new SessionEvent.Opened(O, "public", "reverse", "203.0.113.10:21"),
                new SessionEvent.Refused(O, Reason.PORT_FOREIGN_ADDRESS, null, "PORT 10,0,0,9,4,1", 501, true,
                        "anonymous", null),
                new SessionEvent.TransferFinished(O, "anonymous", null, "RETR", "/pub/f", "EPSV", "PASV", 0, 3145745,
                        41, "ok", 226, null, "relay"));
    }

    @Test
    void aSyslogServerOnLoopbackReceivesOneRfc5424MessagePerEventWithTheAuditJson() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            server.setSoTimeout(RECEIVE_TIMEOUT_MS);
            DatagramAuditSink sink = DatagramAuditSink.syslogUdp(
                    (InetSocketAddress) server.getLocalSocketAddress(), Rfc5424.thisProcess("gw1", "ftpgate"));
            List<String> received = new ArrayList<>();
            try {
                AuditTrail trail = new AuditTrail(sink);
                events().forEach(trail);
                byte[] buf = new byte[65_535];
                for (int i = 0; i < events().size(); i++) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    server.receive(p);
                    received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                }
            } finally {
                sink.close();
            }
            String pid = Long.toString(ProcessHandle.current().pid());
            List<String> msgids = new ArrayList<>();
            for (String line : received) {
                Matcher m = RFC5424.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                assertThat(m.group(3)).isEqualTo("gw1");
                assertThat(m.group(4)).isEqualTo("ftpgate");
                assertThat(m.group(5)).isEqualTo(pid);
                JsonNode json = JSON.readTree(m.group(7));
                assertThat(json.get("event").asText()).isEqualTo(m.group(6));
                assertThat(json.get("session").asText()).isEqualTo("s7");
                assertThat(Integer.parseInt(m.group(1))).isEqualTo(Rfc5424.FACILITY_AUTHPRIV * 8
                        + ("refused".equals(m.group(6)) ? Rfc5424.WARNING : Rfc5424.INFO));
                msgids.add(m.group(6));
                if ("transfer".equals(m.group(6))) {
                    assertThat(json.get("bytes").asLong()).isEqualTo(3145745);
                    assertThat(json.get("outcome").asText()).isEqualTo("ok");
                }
                if ("refused".equals(m.group(6))) {
                    assertThat(json.get("reason").asText()).isEqualTo("port-foreign-address");
                }
            }
            assertThat(msgids).containsExactly("session-open", "refused", "transfer");
        }
    }

    @Test
    void aLocalSyslogSocketAndTheJournalProtocolReceiveTheirForms() throws Exception {
        assumeTrue(Epoll.isAvailable(), "local datagram sockets need Linux epoll");
        Path socket = dir.resolve("log.sock");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel receiver = bindLocal(group, socket, received);
            DatagramAuditSink syslog = DatagramAuditSink.syslogSocket(socket, new Rfc5424("gw1", "ftpgate", "1"));
            new AuditTrail(syslog).accept(events().get(1));
            syslog.close();
            String line = received.poll(RECEIVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(line).matches("<84>1 \\S+ gw1 ftpgate 1 refused - \\{.*\"reason\":\"port-foreign-address\".*");

            DatagramAuditSink journal = DatagramAuditSink.journal(socket, new JournalFields("ftpgate"));
            new AuditTrail(journal).accept(events().get(2));
            journal.close();
            String entry = received.poll(RECEIVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(entry).startsWith("MESSAGE={\"ts\":").contains("\nPRIORITY=6\n", "\nSYSLOG_IDENTIFIER=ftpgate\n",
                    "\nFTPGATE_EVENT=transfer\n", "\nFTPGATE_SESSION=s7\n").endsWith("\n");
            receiver.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A local datagram socket at {@code socket}, as syslog daemons and journald have; datagrams go to {@code into}. */
    private static Channel bindLocal(EventLoopGroup group, Path socket, BlockingQueue<String> into)
            throws InterruptedException {
        return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                        into.add(p.content().toString(StandardCharsets.UTF_8));
                    }
                }).bind(new DomainSocketAddress(socket.toString())).sync().channel();
    }

    @Test
    void aMissingLocalSocketIsRefusedAtOpen() {
        assumeTrue(Epoll.isAvailable(), "local datagram sockets need Linux epoll");
        Path missing = dir.resolve("no.sock");
        assertThatThrownBy(() -> DatagramAuditSink.syslogSocket(missing, new Rfc5424("h", "ftpgate", "1")))
                .hasMessage("no socket at " + missing);
    }

    @Test
    void aReceiverThatIsGoneLosesEventsWithoutAnExceptionForTheCaller() throws Exception {
        assumeTrue(Epoll.isAvailable(), "local datagram sockets need Linux epoll");
        Path socket = dir.resolve("gone.sock");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel receiver = bindLocal(group, socket, new LinkedBlockingQueue<>());
            DatagramAuditSink sink = DatagramAuditSink.syslogSocket(socket, new Rfc5424("h", "ftpgate", "1"));
            receiver.close().sync();
            java.nio.file.Files.deleteIfExists(socket);
            AuditTrail trail = new AuditTrail(sink);
            events().forEach(trail);  // must not throw on the caller's thread
            sink.close();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
