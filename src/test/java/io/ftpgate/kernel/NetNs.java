package io.ftpgate.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Network namespaces for the kernel tests: {@link #run} makes sockets inside one from this JVM, by running the
 * work on a fresh thread that has joined it ({@code setns(2)} changes the calling thread only, and a socket
 * stays in the namespace it was made in). The thread ends with the work, so no other code runs in there.
 */
final class NetNs {

    /** {@code CLONE_NEWNET} (linux/sched.h). */
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;

    static {
        Native.register("c");
    }

    private NetNs() {
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int setns(int fd, int nstype) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int capget(int[] header, int[] data) throws LastErrorException;

    private static native int capset(int[] header, int[] data) throws LastErrorException;

    /** {@code _LINUX_CAPABILITY_VERSION_3} (linux/capability.h): two 32-bit words per set. */
    private static final int CAPABILITY_V3 = 0x20080522;
    /** {@code CAP_NET_ADMIN} (linux/capability.h). */
    private static final int CAP_NET_ADMIN = 12;

    /** Runs {@code work} in namespace {@code ns} (made by {@code ip netns add}) and returns its result. */
    static <T> T run(String ns, Callable<T> work) throws Exception {
        return run(ns, false, work);
    }

    /**
     * As {@link #run}, with CAP_NET_ADMIN dropped from the thread first (capabilities are per thread), as a
     * gateway started without it would be.
     */
    static <T> T runWithoutNetAdmin(String ns, Callable<T> work) throws Exception {
        return run(ns, true, work);
    }

    private static void dropNetAdmin() {
        int[] header = {CAPABILITY_V3, 0};
        int[] data = new int[6]; // {effective, permitted, inheritable} for capabilities 0-31, then 32-63
        capget(header, data);
        for (int set = 0; set < 3; set++) {
            data[set] &= ~(1 << CAP_NET_ADMIN);
        }
        capset(header, data);
    }

    private static <T> T run(String ns, boolean withoutNetAdmin, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int fd = open("/var/run/netns/" + ns, O_RDONLY);
                try {
                    setns(fd, CLONE_NEWNET);
                } finally {
                    close(fd);
                }
                if (withoutNetAdmin) {
                    dropNetAdmin();
                }
                result.set(work.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }, "netns-" + ns);
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** Runs a command (ip, nft) and returns its output; fails with the output when it exits non-zero. */
    static String sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }

    /** {@code ip netns exec NS command...} as a list, for {@link KernelRuleset#apply}. */
    static List<String> exec(String ns, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(command));
        return all;
    }
}
