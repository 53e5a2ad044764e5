package io.ftpgate.config;

import io.ftpgate.net.HostAndPort;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The admin listener: Prometheus {@code /metrics} and the live view, off unless configured.
 *
 * @param listen    where it listens ({@code admin-listen}, YAML {@code admin.listen}): an IP literal or
 *                  {@code localhost}
 * @param tokenFile a file holding the admin token ({@code admin-token-file}, YAML {@code admin.token-file}), or
 *                  null: then only loopback may be used
 */
public record AdminConfig(HostAndPort listen, String tokenFile) {

    public AdminConfig {
        if (listen == null) {
            throw new IllegalArgumentException("admin listen address is required");
        }
    }

    /** True when the listen address is a loopback address, reachable from this machine only. */
    public boolean loopback() {
        return isLoopback(listen.host());
    }

    /**
     * Why this admin listener must not start, or null. Anything beyond loopback is reachable by others, and the
     * live view can end sessions: without a token that would hand every FTP session to anyone on the network.
     */
    public String problem() {
        if (tokenFile == null && !loopback()) {
            return "admin listen address " + listen + " is not a loopback address; set an admin token file"
                    + " (--admin-token-file or admin.token-file) or listen on 127.0.0.1";
        }
        return null;
    }

    /** The admin listen address: {@code HOST:PORT} with an IP literal or {@code localhost}; port 0 = any. */
    public static HostAndPort parseListen(String text) {
        HostAndPort hp = ConfigValues.listenAddress(text);
        if (!"localhost".equalsIgnoreCase(hp.host()) && !NetUtil.isValidIpV4Address(hp.host())
                && !NetUtil.isValidIpV6Address(hp.host())) {
            throw new IllegalArgumentException("expected HOST:PORT with an IP address such as 127.0.0.1:9121,"
                    + " got '" + text + "'");
        }
        return hp;
    }

    private static boolean isLoopback(String host) {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        try {
            return bytes != null && InetAddress.getByAddress(bytes).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
