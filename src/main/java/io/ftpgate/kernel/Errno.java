package io.ftpgate.kernel;

import java.util.Map;

/** errno values as one line an operator can act on: the name, libc's text, and what usually causes it here. */
final class Errno {

    // asm-generic/errno-base.h and errno.h (the same on x86-64 and aarch64)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int EPROTONOSUPPORT = 93;
    static final int EAFNOSUPPORT = 97;

    private static final Map<Integer, String> NAMES = Map.of(
            EPERM, "EPERM", ENOENT, "ENOENT", EINTR, "EINTR", EAGAIN, "EAGAIN", EEXIST, "EEXIST",
            EINVAL, "EINVAL", EPROTONOSUPPORT, "EPROTONOSUPPORT", EAFNOSUPPORT, "EAFNOSUPPORT");

    /** What a missing capability means here, for every place that meets it. */
    static final String NEEDS_NET_ADMIN = "ftpgate needs CAP_NET_ADMIN for the kernel data path";

    private static final Map<Integer, String> HINTS = Map.of(
            EPERM, NEEDS_NET_ADMIN,
            EPROTONOSUPPORT, "the kernel has no nfnetlink (nf_tables not built or not loaded)",
            EAFNOSUPPORT, "the kernel has no netlink sockets",
            ENOENT, "the table, set or element is missing (was ftpgate's table removed?)",
            EEXIST, "the element is already there (a pinhole left over?)");

    private Errno() {
    }

    /** "what: strerror (NAME)[; hint]". */
    static String describe(String what, int errno) {
        String text = what + ": " + LibC.strerror(errno) + " (" + NAMES.getOrDefault(errno, "errno " + errno) + ")";
        String hint = HINTS.get(errno);
        return hint == null ? text : text + "; " + hint;
    }
}
