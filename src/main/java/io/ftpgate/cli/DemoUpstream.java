package io.ftpgate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * An embedded Apache MINA FtpServer: the upstream of {@code ftpgate demo}, reused by integration tests.
 *
 * <p>Users: {@code anonymous} (any password) may only read; {@code demo}/{@code demo} may also write, but only
 * under {@code /upload/}. Both are confined to the given root. MINA's data-connection IP checks are on by
 * default: the server then accepts a data connection only from the address of the control connection, which
 * is what a well-configured server should do (and what ftpgate must cope with).
 */
public final class DemoUpstream implements AutoCloseable {

    /** The user with write access to {@link #UPLOAD_DIR}. */
    public static final String DEMO_USER = "demo";
    /** Password of {@link #DEMO_USER}. */
    public static final String DEMO_PASSWORD = "demo";
    /** The only directory (relative to the root) where {@link #DEMO_USER} may write. */
    public static final String UPLOAD_DIR = "upload";

    /** Enough for parallel integration tests; MINA's default of 10 is easily reached. */
    private static final int MAX_LOGINS = 100;
    private static final String LISTENER = "default";

    private FtpServer server;
    private int port;

    /** Starts on 127.0.0.1, an ephemeral port, serving {@code root}; returns the control port. */
    public synchronized int start(Path root, boolean ipChecks) throws IOException {
        return start(root, ipChecks, "127.0.0.1");
    }

    /**
     * Starts on {@code bindAddress} (e.g. {@code "::1"} for IPv6 tests), an ephemeral port, serving
     * {@code root}; returns the control port.
     *
     * @param ipChecks keep MINA's active/passive data-connection IP checks on (the secure default)
     */
    public synchronized int start(Path root, boolean ipChecks, String bindAddress) throws IOException {
        return start(root, ipChecks, bindAddress, null, false);
    }

    /**
     * As {@link #start(Path, boolean, String)}, speaking FTPS with {@code tls} (explicit AUTH TLS, or implicit
     * when {@code implicitTls}); data connections use the same TLS configuration under PROT P.
     */
    public synchronized int start(Path root, boolean ipChecks, String bindAddress, SslConfiguration tls,
            boolean implicitTls) throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        if (!Files.isDirectory(root)) {
            throw new IOException("demo root is not a directory: " + root);
        }
        FtpServerFactory factory = new FtpServerFactory();

        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress(bindAddress);
        data.setActiveIpCheck(ipChecks);
        data.setPassiveIpCheck(ipChecks);
        if (tls != null) {
            data.setSslConfiguration(tls);
        }
        ListenerFactory listener = new ListenerFactory();
        if (tls != null) {
            listener.setSslConfiguration(tls);
            listener.setImplicitSsl(implicitTls);
        }
        listener.setServerAddress(bindAddress);
        listener.setPort(0);
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        factory.addListener(LISTENER, listener.createListener());

        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(true);
        connections.setMaxLogins(MAX_LOGINS);
        connections.setMaxAnonymousLogins(MAX_LOGINS);
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setUserManager(users(root.toAbsolutePath().toString()));

        FtpServer s = factory.createServer();
        try {
            s.start();
        } catch (FtpException | RuntimeException e) {
            throw new IOException("cannot start the embedded FTP server on " + bindAddress + ": " + e.getMessage(), e);
        }
        server = s;
        // MINA updates the listener's port to the one actually bound when it was given 0.
        port = ((DefaultFtpServer) s).getListener(LISTENER).getPort();
        return port;
    }

    /** The control port, valid after {@link #start}. */
    public synchronized int port() {
        return port;
    }

    /** Stops the server; safe to call more than once. */
    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static UserManager users(String home) {
        DemoUsers users = new DemoUsers();
        users.add(user(UserManager.ANONYMOUS, home,
                List.of(new ConcurrentLoginPermission(MAX_LOGINS, MAX_LOGINS))), null);
        // WritePermission is a plain string-prefix test on the virtual path: "/upload" would also allow
        // "/upload-evil.txt" in the root, hence the trailing slash.
        users.add(user(DEMO_USER, home, List.of(new ConcurrentLoginPermission(MAX_LOGINS, MAX_LOGINS),
                new WritePermission("/" + UPLOAD_DIR + "/"))), DEMO_PASSWORD);
        return users;
    }

    private static BaseUser user(String name, String home, List<Authority> authorities) {
        BaseUser u = new BaseUser();
        u.setName(name);
        u.setHomeDirectory(home);
        u.setEnabled(true);
        u.setAuthorities(authorities);
        return u;
    }
}
