package io.ftpgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load tool (run by {@code bench/load.sh}): drives sessions and transfers through ftpgate and reports
 * throughput, latency percentiles, RSS and leaks. Modes:
 *
 * <ul>
 *   <li>{@code idle --jar JAR --sessions N}: a {@link FakeFtpServer} upstream and ftpgate (a separate process,
 *       reverse placement, on loopback); N sessions log in and stay idle; RSS, threads and fds of ftpgate are
 *       read; then every session sends NOOP and must get 200; then all quit and ftpgate must be back to its
 *       starting file descriptors.</li>
 *   <li>{@code transfers --jar JAR --count M}: M sessions log in, wait at a barrier, then each runs one
 *       transfer at once: RETR/STOR × PASV/EPSV/PORT/EPRT (the server side mirrors the client's mode),
 *       checked by sha256; afterwards no pinhole may be listening and ftpgate's fds must be back to the
 *       start.</li>
 *   <li>{@code setup --jar JAR --count N}: per-transfer setup latency (PASV/EPSV sent → first data byte
 *       received) over one session, directly against the fake server and through ftpgate, alternating
 *       blocks of 50; reports p50/p99 of each and what ftpgate adds.</li>
 *   <li>{@code small --target LABEL=[USER@]HOST:PORT ... --user U --pass P --path FMT --files F --count N}: the same
 *       measurement against real servers (the benchmark world's vsftpd, direct and through ftpgate), with
 *       files/s over one session: the "many small files" figure without curl's 1 s stall (see
 *       docs/benchmarks.md). {@code --warmup N} uncounted RETRs per target first (default 20).</li>
 * </ul>
 * Prints {@code key=value} lines; exits 1 when a check fails.
 */
public final class LoadTool {

    private final Map<String, List<String>> opts;
    /** Login names of {@code small} targets given as LABEL=USER@HOST:PORT. */
    private final Map<String, String> targetUsers = new LinkedHashMap<>();

    private LoadTool(Map<String, List<String>> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: LoadTool idle|transfers|setup|small [--option value]...");
            System.exit(2);
        }
        Map<String, List<String>> opts = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opts.computeIfAbsent(args[i].replaceFirst("^--", ""), k -> new ArrayList<>()).add(args[i + 1]);
        }
        LoadTool t = new LoadTool(opts);
        boolean ok = switch (args[0]) {
            case "idle" -> t.idle();
            case "transfers" -> t.transfers();
            case "setup" -> t.setup();
            case "small" -> t.small();
            case "server" -> t.server();
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        System.out.println("result=" + (ok ? "PASS" : "FAIL"));
        System.exit(ok ? 0 : 1);
    }

    private String opt(String name, String def) {
        List<String> v = opts.get(name);
        return v == null ? def : v.get(v.size() - 1);
    }

    private int intOpt(String name, int def) {
        return Integer.parseInt(opt(name, Integer.toString(def)));
    }

    private List<String> jvmOptions() {
        String o = opt("jvm", "");
        return o.isBlank() ? List.of() : Arrays.asList(o.trim().split("\\s+"));
    }

    private static int[] range(String s) {
        String[] p = s.split("-");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    static void out(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    // ------------------------------------------------------------------------------------------ gateway

    private GatewayProcess startGateway(InetSocketAddress upstream) throws Exception {
        InetAddress lo = InetAddress.getByName(opt("address", "127.0.0.1"));
        GatewayProcess g = GatewayProcess.start(opt("jar", "target/ftpgate.jar"), jvmOptions(),
                new InetSocketAddress(lo, intOpt("port", 2121)), upstream,
                range(opt("client-data-ports", "40000-44999")), range(opt("server-data-ports", "45000-49999")));
        out("gateway_pid", g.pid());
        out("gateway_jvm_options", String.join(" ", jvmOptions()));
        return g;
    }

    /** Waits until the gateway has no open pinholes and is back to {@code baseFds}; reports both. */
    private boolean leakCheck(GatewayProcess g, int baseFds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int fds;
        List<Integer> pinholes;
        do {
            Thread.sleep(250);
            fds = g.fds();
            pinholes = g.openPinholes();
        } while ((fds > baseFds || !pinholes.isEmpty()) && System.nanoTime() < deadline);
        out("gateway_fds_before", baseFds);
        out("gateway_fds_after", fds);
        out("gateway_open_pinholes_after", pinholes.size());
        return fds <= baseFds && pinholes.isEmpty();
    }

    // ------------------------------------------------------------------------------------------ idle

    /** The fake upstream alone, in its own process: prints {@code port=N}, runs until stdin closes. */
    private boolean server() throws Exception {
        try (FakeFtpServer server = new FakeFtpServer(InetAddress.getByName(opt("address", "127.0.0.1")))) {
            out("port", server.start().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent goes away
            }
        }
        return true;
    }

    /**
     * Starts the fake upstream as a child process: each process has its own file-descriptor limit, and the
     * sandbox this was written in caps it at 20,000 (hard), so the 10,000 client sockets and the 10,000
     * upstream sockets cannot share one.
     */
    private static Process startServerProcess(InetAddress address, int[] port) throws IOException {
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss256k", "-cp", System.getProperty("java.class.path"), LoadTool.class.getName(), "server",
                "--address", address.getHostAddress()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII));
        String line = r.readLine();
        if (line == null || !line.startsWith("port=")) {
            p.destroy();
            throw new IOException("fake server did not start: " + line);
        }
        port[0] = Integer.parseInt(line.substring(5));
        return p;
    }

    private boolean idle() throws Exception {
        int n = intOpt("sessions", 10000);
        InetAddress lo = InetAddress.getByName(opt("address", "127.0.0.1"));
        int[] port = new int[1];
        Process serverProcess = startServerProcess(lo, port);
        try (FakeFtpServer server = new FakeFtpServer(lo)) {
            InetSocketAddress up = new InetSocketAddress(lo, port[0]);
            try (GatewayProcess g = startGateway(up)) {
                Thread.sleep(1000);
                int baseFds = g.fds();
                out("gateway_rss_idle_start_MiB", g.rssKib() / 1024);
                EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
                try {
                    return idleSessions(n, g, server, group, baseFds);
                } finally {
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                }
            }
        } finally {
            serverProcess.destroy();
        }
    }

    private boolean idleSessions(int n, GatewayProcess g, FakeFtpServer unused, EventLoopGroup group, int baseFds)
            throws Exception {
        AtomicInteger loggedIn = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger noops = new AtomicInteger();
        Semaphore inFlight = new Semaphore(200);
        CountDownLatch settled = new CountDownLatch(n);
        CountDownLatch noopDone = new CountDownLatch(n);
        List<Channel> channels = new ArrayList<>(n);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096),
                                new StringDecoder(StandardCharsets.ISO_8859_1),
                                new IdleSession(loggedIn, failed, noops, inFlight, settled, noopDone));
                    }
                });
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            ChannelFuture f = b.connect(g.listen);
            channels.add(f.channel());
            f.addListener(c -> {
                if (!c.isSuccess()) {
                    failed.incrementAndGet();
                    inFlight.release();
                    settled.countDown();
                    noopDone.countDown();
                }
            });
        }
        boolean allSettled = settled.await(180, TimeUnit.SECONDS);
        double loginSecs = (System.nanoTime() - t0) / 1e9;
        out("sessions_requested", n);
        out("sessions_logged_in", loggedIn.get());
        out("sessions_failed", failed.get());
        out("login_seconds", String.format("%.1f", loginSecs));
        out("logins_per_second", String.format("%.0f", loggedIn.get() / loginSecs));
        Thread.sleep(intOpt("hold", 5) * 1000L);
        out("gateway_threads", g.threads());
        out("gateway_fds_with_sessions", g.fds());
        long rssIdle = g.rssKib() / 1024;
        out("gateway_rss_idle_sessions_MiB", rssIdle);
        long t1 = System.nanoTime();
        for (Channel ch : channels) {
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.copiedBuffer("NOOP\r\n", StandardCharsets.ISO_8859_1));
            }
        }
        noopDone.await(120, TimeUnit.SECONDS);
        out("noop_answered", noops.get());
        out("noop_round_seconds", String.format("%.2f", (System.nanoTime() - t1) / 1e9));
        long rssAfter = g.rssKib() / 1024;
        out("gateway_rss_after_noop_MiB", rssAfter);
        for (Channel ch : channels) {
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.copiedBuffer("QUIT\r\n", StandardCharsets.ISO_8859_1));
            }
        }
        for (Channel ch : channels) {
            ch.closeFuture().await(30, TimeUnit.SECONDS);
        }
        boolean clean = leakCheck(g, baseFds);
        long rssMax = Math.max(rssIdle, rssAfter);
        out("target_rss_le_512MiB", rssMax <= 512 ? "met" : "NOT met");
        return allSettled && loggedIn.get() == n && noops.get() == n && rssMax <= 512 && clean;
    }

    /** One idle client session: logs in, then answers the tool's NOOP round. */
    private static final class IdleSession extends SimpleChannelInboundHandler<String> {
        private final AtomicInteger loggedIn;
        private final AtomicInteger failed;
        private final AtomicInteger noops;
        private final Semaphore inFlight;
        private final CountDownLatch settled;
        private final CountDownLatch noopDone;
        private boolean done;

        IdleSession(AtomicInteger loggedIn, AtomicInteger failed, AtomicInteger noops, Semaphore inFlight,
                CountDownLatch settled, CountDownLatch noopDone) {
            this.loggedIn = loggedIn;
            this.failed = failed;
            this.noops = noops;
            this.inFlight = inFlight;
            this.settled = settled;
            this.noopDone = noopDone;
        }

        private void send(ChannelHandlerContext ctx, String line) {
            ctx.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            if (line.length() >= 4 && line.charAt(3) == '-') {
                return; // continuation of a multi-line reply
            }
            String code = line.length() >= 3 ? line.substring(0, 3) : line;
            switch (code) {
                case "220" -> send(ctx, "USER load");
                case "331" -> send(ctx, "PASS load");
                case "230" -> settle(true);
                case "200" -> {
                    noops.incrementAndGet();
                    noopDone.countDown();
                }
                case "221" -> ctx.close();
                default -> {
                    if (!done) {
                        settle(false);
                    }
                }
            }
        }

        private void settle(boolean ok) {
            if (done) {
                return;
            }
            done = true;
            (ok ? loggedIn : failed).incrementAndGet();
            inFlight.release();
            settled.countDown();
            if (!ok) {
                noopDone.countDown();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            settle(false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    // ------------------------------------------------------------------------------------------ transfers

    private boolean transfers() throws Exception {
        int m = intOpt("count", 1000);
        int minSize = intOpt("min-size", 16 * 1024);
        int maxSize = intOpt("max-size", 2 * 1024 * 1024);
        InetAddress lo = InetAddress.getByName(opt("address", "127.0.0.1"));
        try (FakeFtpServer server = new FakeFtpServer(lo)) {
            InetSocketAddress up = server.start();
            try (GatewayProcess g = startGateway(up)) {
                Thread.sleep(1000);
                int baseFds = g.fds();
                CyclicBarrier barrier = new CyclicBarrier(m);
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger corrupt = new AtomicInteger();
                AtomicLong bytes = new AtomicLong();
                AtomicLong corruptBytes = new AtomicLong();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
                AtomicLong start = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    int id = i;
                    Thread t = new Thread(() -> {
                        BlockingFtpClient.Mode mode = BlockingFtpClient.Mode.values()[id % 4];
                        boolean retr = (id / 4) % 2 == 0;
                        long size = minSize + new SplittableRandom(id).nextInt(maxSize - minSize + 1);
                        long seed = 1_000_000L + id;
                        String kind = (retr ? "RETR" : "STOR") + "/" + mode;
                        try {
                            String expected = Content.sha256(size, seed);
                            try (BlockingFtpClient c = new BlockingFtpClient(g.listen, 120_000)) {
                                c.login("load", "load");
                                barrier.await(120, TimeUnit.SECONDS);
                                start.compareAndSet(0, System.nanoTime());
                                String got = retr ? download(c, mode, Content.name(size, seed))
                                        : upload(c, mode, server, size, seed);
                                if (expected.equals(got)) {
                                    ok.incrementAndGet();
                                    bytes.addAndGet(size);
                                    byKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                                } else {
                                    corrupt.incrementAndGet();
                                    corruptBytes.addAndGet(size);
                                    failures.add(kind + " #" + id + ": sha256 mismatch");
                                }
                            }
                        } catch (Exception e) {
                            failures.add(kind + " #" + id + ": " + e);
                        }
                    }, "transfer-" + i);
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) {
                    t.join();
                }
                double secs = (System.nanoTime() - start.get()) / 1e9;
                out("transfers_requested", m);
                out("transfers_ok", ok.get());
                out("transfers_corrupted", corrupt.get());
                out("corrupted_bytes_upper_bound", corruptBytes.get());
                out("transfers_failed", failures.size() - corrupt.get());
                out("transfers_by_kind", new java.util.TreeMap<>(byKind));
                out("bytes_verified", bytes.get());
                out("wall_seconds", String.format("%.1f", secs));
                out("aggregate_MBps", String.format("%.0f", bytes.get() / secs / 1e6));
                failures.stream().limit(10).forEach(f -> out("failure", f));
                boolean clean = leakCheck(g, baseFds);
                return ok.get() == m && corrupt.get() == 0 && clean;
            }
        }
    }

    private static String download(BlockingFtpClient c, BlockingFtpClient.Mode mode, String name) throws IOException {
        try (BlockingFtpClient.Data d = c.open(mode)) {
            c.send("RETR " + name);
            Socket s = d.socket();
            BlockingFtpClient.expect(c.read(), 150);
            MessageDigest md = Content.digest();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            s.close();
            BlockingFtpClient.expect(c.read(), 226);
            return HexFormat.of().formatHex(md.digest());
        }
    }

    private static String upload(BlockingFtpClient c, BlockingFtpClient.Mode mode, FakeFtpServer server, long size,
            long seed) throws IOException {
        String name = Content.name(size, seed);
        try (BlockingFtpClient.Data d = c.open(mode)) {
            c.send("STOR " + name);
            Socket s = d.socket();
            BlockingFtpClient.expect(c.read(), 150);
            Content content = new Content(size, seed);
            OutputStream os = s.getOutputStream();
            byte[] buf = new byte[65536];
            int n;
            while ((n = content.next(buf, buf.length)) > 0) {
                os.write(buf, 0, n);
            }
            s.shutdownOutput();
            s.close();
            BlockingFtpClient.expect(c.read(), 226);
            return server.stored.get(name);
        }
    }

    // ------------------------------------------------------------------------------------------ setup latency

    private boolean setup() throws Exception {
        int n = intOpt("count", 2000);
        int size = intOpt("size", 4096);
        InetAddress lo = InetAddress.getByName(opt("address", "127.0.0.1"));
        try (FakeFtpServer server = new FakeFtpServer(lo)) {
            InetSocketAddress up = server.start();
            try (GatewayProcess g = startGateway(up)) {
                Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
                targets.put("direct", up);
                targets.put("ftpgate", g.listen);
                List<String> files = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    files.add(Content.name(size, i));
                }
                return new SequentialRetrs(targets, Map.of(), "load", "load", files,
                        BlockingFtpClient.Mode.valueOf(opt("mode", "EPSV")), intOpt("warmup", 20)).run(n);
            }
        }
    }

    private boolean small() throws Exception {
        Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
        for (String t : opts.getOrDefault("target", List.of())) {
            // LABEL=HOST:PORT, or LABEL=USER@HOST:PORT for a proxy that takes USER user@server.
            String[] lv = t.split("=", 2);
            String hostPort = lv[1].substring(lv[1].lastIndexOf('@') + 1);
            if (hostPort.length() < lv[1].length()) {
                targetUsers.put(lv[0], lv[1].substring(0, lv[1].lastIndexOf('@')));
            }
            int colon = hostPort.lastIndexOf(':');
            targets.put(lv[0], new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                    Integer.parseInt(hostPort.substring(colon + 1))));
        }
        List<String> files = new ArrayList<>();
        for (int i = 1; i <= intOpt("files", 200); i++) {
            files.add(String.format(opt("path", "small/f%d.bin"), i));
        }
        return new SequentialRetrs(targets, targetUsers, opt("user", "bench"), opt("pass", "bench"), files,
                BlockingFtpClient.Mode.valueOf(opt("mode", "EPSV")), intOpt("warmup", 20)).run(intOpt("count", 1000));
    }
}
