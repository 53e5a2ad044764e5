package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.net.HostAndPort;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the whole session state machine through a real gateway: the input is split into what a fake upstream
 * sends and what the client sends. Client (127.0.0.2), gateway (127.0.0.1) and server (127.0.0.3) have
 * distinct loopback addresses, so the oracle can check that every data connection the gateway makes goes to
 * one of the two control peers, whatever PORT/EPRT/227/229 text either side sends, and that no internal error
 * (an exception other than I/O) was logged.
 */
class SessionFuzzTest {

    private static final InetAddress CLIENT = address("127.0.0.2");
    private static final InetAddress SERVER = address("127.0.0.3");
    /** How long the client waits for more replies before it ends the session. */
    private static final int QUIET_MS = 30;
    /** How long the client waits for the first reply. */
    private static final int FIRST_REPLY_MS = 1_000;

    private static Gateway gateway;
    private static ServerSocket upstream;
    private static volatile byte[] serverScript = new byte[0];
    private static final List<InetSocketAddress> targets = new CopyOnWriteArrayList<>();
    private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = new ServerSocket(0, 50, SERVER);
        Thread t = new Thread(SessionFuzzTest::serve, "fuzz-upstream");
        t.setDaemon(true);
        t.start();
        ListenerConfig l = ListenerConfig.builder("fuzz").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort(SERVER.getHostAddress(), upstream.getLocalPort()))
                .upstreamMode(UpstreamMode.CLIENT).build();
        Timeouts quick = new Timeouts(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(5));
        // The oracle watches the data path itself: every outward data connection the gateway attempts.
        gateway = Gateway.start(new GatewayConfig(List.of(l), quick, null), EventBus.of(),
                transport -> new ObservedDataPath(new RelayDataPath(transport), targets::add));
        Logger root = (Logger) LoggerFactory.getLogger("io.ftpgate");
        logged.start();
        root.addAppender(logged);
    }

    @AfterAll
    static void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger("io.ftpgate")).detachAppender(logged);
        gateway.close();
        upstream.close();
    }

    /**
     * The fake upstream: answers like a server, one scripted reply per command line it receives (the first
     * reply is the greeting). A reply is the script's lines up to one whose fourth byte is a space (or that is
     * shorter), so multi-line replies and garbage both come out as the fuzzer wrote them.
     */
    private static void serve() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept()) {
                s.setSoTimeout(2_000);
                List<byte[]> replies = replies(serverScript);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                int next = 0;
                if (next < replies.size()) {
                    out.write(replies.get(next++));
                    out.flush();
                }
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == '\n' && next < replies.size()) {
                        out.write(replies.get(next++));
                        out.flush();
                    }
                }
            } catch (Exception e) {
                // next session
            }
        }
    }

    private static List<byte[]> replies(byte[] script) {
        List<byte[]> out = new java.util.ArrayList<>();
        int start = 0;
        int lineStart = 0;
        for (int i = 0; i < script.length; i++) {
            if (script[i] == '\n') {
                boolean last = i - lineStart < 4 || script[lineStart + 3] == ' ';
                lineStart = i + 1;
                if (last) {
                    out.add(Arrays.copyOfRange(script, start, i + 1));
                    start = i + 1;
                }
            }
        }
        if (start < script.length) {
            out.add(Arrays.copyOfRange(script, start, script.length));
        }
        return out;
    }

    @FuzzTest(maxDuration = "24h")
    void session(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        int serverLen = Math.min(((input[0] & 0xff) << 8) | (input[1] & 0xff), input.length - 2);
        serverScript = Arrays.copyOfRange(input, 2, 2 + serverLen);
        byte[] client = Arrays.copyOfRange(input, 2 + serverLen, input.length);
        targets.clear();
        logged.list.clear();
        InetSocketAddress gw = gateway.boundAddresses().get(0);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(CLIENT, 0));
            s.connect(gw, 2_000);
            s.getOutputStream().write(client);
            s.getOutputStream().flush();
            byte[] buf = new byte[8192];
            long deadline = System.nanoTime() + 2_000_000_000L;
            try {
                // The first reply may take a moment (upstream connect); after that, QUIET_MS of silence ends it.
                s.setSoTimeout(FIRST_REPLY_MS);
                while (System.nanoTime() < deadline && s.getInputStream().read(buf) >= 0) {
                    s.setSoTimeout(QUIET_MS);
                }
            } catch (SocketTimeoutException quiet) {
                // the session went quiet: end it
            } catch (java.io.IOException reset) {
                // the gateway closed the session
            }
        }
        for (InetSocketAddress t : targets) {
            assertThat(Set.of(CLIENT, SERVER)).as("data connection target %s", t).contains(t.getAddress());
        }
        assertThat(logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)))
                .as("internal errors").isEmpty();
    }
}
