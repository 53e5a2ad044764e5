package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.MinaServer;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.control.Gateway;
import io.ftpgate.policy.ListenerPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anonymous incoming area (CERT: anonymous upload "carefully confined"): behind a MINA server that lets
 * anonymous users write anywhere, the gateway alone confines them to uploading into /incoming, where nothing
 * can be listed, downloaded, appended to, renamed or deleted.
 */
class AnonymousIncomingIT {

    @TempDir
    Path root;
    private MinaServer mina;
    private Gateway gw;
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private FTPClient c;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(root.resolve("incoming"));
        Files.writeString(root.resolve("incoming/earlier-upload.txt"), "someone else's file\n");
        mina = MinaServer.options().anonymousWrite(true).start(root);
        ListenerConfig l = ListenerConfig.builder("incoming").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", mina.port()))
                .listenerPolicy(new ListenerPolicy(List.of(), true, false, List.of(), "full", null, "/incoming"))
                .build();
        gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
        InetSocketAddress a = gw.boundAddresses().get(0);
        c = new FTPClient();
        c.setDefaultTimeout(10_000);
        c.connect(a.getAddress(), a.getPort());
        assertThat(c.login("anonymous", "guest@example.net")).isTrue();
        c.enterLocalPassiveMode();
        c.setFileType(FTP.BINARY_FILE_TYPE);
    }

    @AfterEach
    void stop() throws Exception {
        c.disconnect();
        gw.close();
        mina.close();
    }

    private boolean put(String path) throws Exception {
        return c.storeFile(path, new ByteArrayInputStream("upload\n".getBytes()));
    }

    @Test
    void anonymousMayUploadIntoIncomingByRelativeAndAbsolutePath() throws Exception {
        assertThat(put("/incoming/a.txt")).as(c.getReplyString()).isTrue();
        assertThat(c.changeWorkingDirectory("incoming")).isTrue();
        assertThat(put("b.txt")).as(c.getReplyString()).isTrue();
        assertThat(Files.readString(root.resolve("incoming/a.txt"))).isEqualTo("upload\n");
        assertThat(Files.readString(root.resolve("incoming/b.txt"))).isEqualTo("upload\n");
    }

    @Test
    void anonymousMayNotWriteOutsideIncoming() throws Exception {
        assertThat(put("/outside.txt")).isFalse();
        assertThat(c.getReplyString()).startsWith("550 Anonymous users may not write here.");
        assertThat(put("/incoming/../escape.txt")).isFalse();
        assertThat(Files.exists(root.resolve("outside.txt"))).isFalse();
        assertThat(Files.exists(root.resolve("escape.txt"))).isFalse();
        audit.awaitRefused("anonymous-write-denied");
    }

    @Test
    void incomingCannotBeListedDownloadedRenamedOrDeleted() throws Exception {
        assertThat(c.changeWorkingDirectory("/incoming")).isTrue();
        assertThat(c.listNames()).isNull();
        assertThat(c.getReplyString()).startsWith("550 The incoming area is upload-only.");
        assertThat(c.retrieveFile("earlier-upload.txt", new ByteArrayOutputStream())).isFalse();
        assertThat(c.rename("earlier-upload.txt", "mine.txt")).isFalse();
        assertThat(c.deleteFile("earlier-upload.txt")).isFalse();
        assertThat(c.appendFile("earlier-upload.txt", new ByteArrayInputStream("x".getBytes()))).isFalse();
        assertThat(c.changeWorkingDirectory("/")).isTrue();
        assertThat(c.listFiles("-la incoming")).isEmpty();
        assertThat(c.retrieveFile("incoming/./earlier-upload.txt", new ByteArrayOutputStream())).isFalse();
        assertThat(Files.readString(root.resolve("incoming/earlier-upload.txt"))).isEqualTo("someone else's file\n");
        AuditEvent r = audit.awaitRefused("anonymous-incoming");
        assertThat(r.get("enforced")).isEqualTo(true);
        // Outside the area, reading works as usual.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(c.retrieveFile("/hello.txt", out)).isTrue();
        assertThat(out.toString()).isEqualTo("hello from MINA\n");
    }
}
