package io.ftpgate.auditor.it;

import io.ftpgate.cli.DemoUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;

/**
 * An in-JVM Apache MINA FtpServer on 127.0.0.1 for the auditor's tests, configurable where the auditor's
 * verdicts should differ: the data-connection IP checks, anonymous write, the advertised passive address. (ftpgate's own {@link DemoUpstream} ties both IP checks to one flag and has no
 * writable anonymous user or external address.)
 */
public final class MinaServer implements AutoCloseable {

    private static final String LISTENER = "default";
    /** A second, writable named user. */
    static final String WRITER = "writer";
    static final String WRITER_PASSWORD = "s3cret-writer-pw";

    private final FtpServer server;
    private final int port;

    private MinaServer(FtpServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Options; the defaults are MINA's secure defaults with a read-only anonymous user. */
    public static final class Options {
        boolean ipChecks = true;
        boolean anonymousWrite;
        String externalAddress;

        Options ipChecks(boolean on) {
            ipChecks = on;
            return this;
        }

        public Options anonymousWrite(boolean on) {
            anonymousWrite = on;
            return this;
        }

        /** What MINA advertises in 227 instead of its own address, e.g. {@code 10.0.0.1}. */
        Options externalAddress(String a) {
            externalAddress = a;
            return this;
        }

        public MinaServer start(Path root) throws IOException {
            return MinaServer.start(root, this);
        }
    }

    public static Options options() {
        return new Options();
    }

    private static MinaServer start(Path root, Options o) throws IOException {
        Files.writeString(root.resolve("hello.txt"), "hello from MINA\n");
        FtpServerFactory factory = new FtpServerFactory();
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setActiveIpCheck(o.ipChecks);
        data.setPassiveIpCheck(o.ipChecks);
        data.setPassiveAddress("127.0.0.1");
        if (o.externalAddress != null) {
            data.setPassiveExternalAddress(o.externalAddress);
        }
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(0);
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        factory.addListener(LISTENER, listener.createListener());
        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(true);
        connections.setMaxLogins(100);
        connections.setMaxAnonymousLogins(100);
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setUserManager(users(root, o.anonymousWrite));
        FtpServer s = factory.createServer();
        try {
            s.start();
        } catch (FtpException e) {
            throw new IOException("cannot start MINA: " + e.getMessage(), e);
        }
        return new MinaServer(s, ((DefaultFtpServer) s).getListener(LISTENER).getPort());
    }

    /**
     * MINA's properties user manager: its write permission is one flag for the whole home directory, which is
     * all these tests need (anonymous read-only or writable; {@link #WRITER} writable).
     */
    private static UserManager users(Path root, boolean anonymousWrite) throws IOException {
        String home = root.toAbsolutePath().toString();
        StringBuilder props = new StringBuilder();
        for (String[] u : new String[][] {{"anonymous", "", String.valueOf(anonymousWrite)},
            {WRITER, WRITER_PASSWORD, "true"}}) {
            String p = "ftpserver.user." + u[0] + ".";
            props.append(p).append("userpassword=").append(u[1]).append('\n')
                    .append(p).append("homedirectory=").append(home).append('\n')
                    .append(p).append("enableflag=true\n")
                    .append(p).append("writepermission=").append(u[2]).append('\n');
        }
        Path file = Files.createTempFile("mina-users-", ".properties");
        file.toFile().deleteOnExit();
        Files.writeString(file, props);
        PropertiesUserManagerFactory f = new PropertiesUserManagerFactory();
        f.setFile(file.toFile());
        f.setPasswordEncryptor(new ClearTextPasswordEncryptor());
        return f.createUserManager();
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stop();
    }
}
