package io.ftpgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load tool's small-file measurement: sequential RETRs over one session per target (direct, ftpgate, a
 * peer proxy), alternating targets in blocks so drift in the machine's load hits all alike. Reports files/s,
 * the ratio to the first target, and the setup latency (PASV/EPSV sent to first data byte) p50/p99/max.
 */
final class SequentialRetrs {

    private final Map<String, InetSocketAddress> targets;
    private final Map<String, String> users;
    private final String user;
    private final String pass;
    private final List<String> files;
    private final BlockingFtpClient.Mode mode;
    private final int warmup;

    /**
     * @param targets by label, the first being the baseline of the ratios
     * @param users   login names of targets that need their own (a proxy's {@code user@server}), by label
     * @param warmup  uncounted RETRs per target before measuring
     */
    SequentialRetrs(Map<String, InetSocketAddress> targets, Map<String, String> users, String user, String pass,
            List<String> files, BlockingFtpClient.Mode mode, int warmup) {
        this.targets = targets;
        this.users = users;
        this.user = user;
        this.pass = pass;
        this.files = files;
        this.mode = mode;
        this.warmup = warmup;
    }

    /**
     * Sequential RETRs over one session per target, alternating targets in blocks so drift in the machine's
     * load hits all alike. Latency: from sending PASV/EPSV to the first data byte.
     */
    boolean run(int count) throws Exception {
        int block = 50;
        Map<String, long[]> lat = new LinkedHashMap<>();
        Map<String, Long> nanos = new LinkedHashMap<>();
        Map<String, BlockingFtpClient> clients = new LinkedHashMap<>();
        byte[] buf = new byte[65536];
        try {
            for (Map.Entry<String, InetSocketAddress> t : targets.entrySet()) {
                BlockingFtpClient c = new BlockingFtpClient(t.getValue(), 30_000);
                c.login(users.getOrDefault(t.getKey(), user), pass);
                clients.put(t.getKey(), c);
                lat.put(t.getKey(), new long[count]);
                nanos.put(t.getKey(), 0L);
                // Warm-up, not counted: --warmup RETRs per target (default 20). The gateway is a JVM, and its
                // per-transfer code is only compiled by C2 after some thousands of transfers; a deployed
                // gateway runs for days, so the steady state is what a comparison with C servers should see.
                for (int i = 0; i < warmup; i++) {
                    retrTimed(c, mode, files.get(i % files.size()), buf);
                }
            }
            for (int done = 0; done < count; done += block) {
                for (String label : targets.keySet()) {
                    BlockingFtpClient c = clients.get(label);
                    long t0 = System.nanoTime();
                    for (int i = done; i < Math.min(count, done + block); i++) {
                        lat.get(label)[i] = retrTimed(c, mode, files.get(i % files.size()), buf);
                    }
                    nanos.merge(label, System.nanoTime() - t0, Long::sum);
                }
            }
        } finally {
            for (BlockingFtpClient c : clients.values()) {
                c.close();
            }
        }
        LoadTool.out("transfers_per_target", count);
        LoadTool.out("client_mode", mode);
        double base = -1;
        long baseP50 = -1;
        long baseP99 = -1;
        for (String label : targets.keySet()) {
            long[] l = lat.get(label);
            Arrays.sort(l);
            long p50 = l[l.length / 2];
            long p99 = l[(int) Math.ceil(l.length * 0.99) - 1];
            double rate = count / (nanos.get(label) / 1e9);
            LoadTool.out(label + "_files_per_s", String.format("%.0f", rate));
            LoadTool.out(label + "_setup_p50_us", p50 / 1000);
            LoadTool.out(label + "_setup_p99_us", p99 / 1000);
            LoadTool.out(label + "_setup_max_us", l[l.length - 1] / 1000);
            if (base < 0) {
                base = rate;
                baseP50 = p50;
                baseP99 = p99;
            } else {
                LoadTool.out(label + "_files_ratio_to_first", String.format("%.2f", rate / base));
                LoadTool.out(label + "_added_setup_p50_us", (p50 - baseP50) / 1000);
                LoadTool.out(label + "_added_setup_p99_us", (p99 - baseP99) / 1000);
            }
        }
        return true;
    }

    /** One RETR; returns nanoseconds from the PASV/EPSV to the first data byte. */
    private static long retrTimed(BlockingFtpClient c, BlockingFtpClient.Mode mode, String name, byte[] buf)
            throws IOException {
        long t0 = System.nanoTime();
        long first;
        try (BlockingFtpClient.Data d = c.open(mode)) {
            c.send("RETR " + name);
            Socket s = d.socket();
            InputStream in = s.getInputStream();
            int n = in.read(buf);
            first = System.nanoTime();
            while (n > 0) {
                n = in.read(buf);
            }
            // Close at EOF, as curl does: vsftpd waits for the client's close before its 226.
            s.close();
            BlockingFtpClient.Reply r = c.read();
            if (r.code() == 150 || r.code() == 125) {
                r = c.read();
            }
            BlockingFtpClient.expect(r, 226);
        }
        return first - t0;
    }
}
