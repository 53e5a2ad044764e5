package io.ftpgate.config;

/**
 * Which path carries a listener's data connections ({@code data-path}).
 *
 * <p>There is no {@code auto}: whether the kernel forwards data is a decision about the host (forwarding on,
 * CAP_NET_ADMIN, an nftables table of ftpgate's own), so an administrator makes it once, and a start that
 * cannot honour it fails instead of quietly relaying.
 */
public enum DataPathMode {
    /** Every data connection is relayed in user space by ftpgate (the default). */
    RELAY,
    /**
     * Transfers whose two legs run the same direction (client and server both passive, or both active) are
     * forwarded by the kernel (nftables); the others, and TLS data, stay on the relay per transfer.
     */
    KERNEL
}
