package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.config.YamlTree.MapNode;
import io.ftpgate.config.YamlTree.Node;
import io.ftpgate.config.YamlTree.Pos;
import io.ftpgate.config.YamlTree.Seq;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.policy.UpstreamPolicy;
import java.util.ArrayList;
import io.ftpgate.policy.Placement;
import io.ftpgate.proxy.ProxyVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the listeners of one file, each on its own: a problem in one listener (recorded, see {@link TreeReader})
 * does not stop the others from being checked. Also checks what listeners must not share: names and listen
 * addresses.
 */
final class ListenerReader extends TreeReader {

    private final PolicyReader policies;
    private final TlsReader tls;
    /** Listener names read so far, with the key path of the listener that has each. */
    private final Map<String, String> names = new HashMap<>();
    /** Listen addresses read so far, with their key paths. */
    private final Map<HostAndPort, String> bound = new HashMap<>();

    ListenerReader(String file, List<ConfigException> problems, PolicyReader policies) {
        super(file, problems);
        this.policies = policies;
        this.tls = new TlsReader(file, problems);
    }

    /**
     * Listener {@code index}, or null when it cannot be built (its problems are recorded). One with a problem in
     * a single key is still returned, that key left at its default, so that the checks across keys still run.
     */
    ListenerConfig listener(MapNode m, String path, int index) {
        Map<String, Entry> e = m.entries();
        String name = e.containsKey("name") ? opt(e, "name", path, "a listener name", ListenerReader::name)
                : "listener-" + (index + 1);
        if (name != null) {
            String previous = names.putIfAbsent(name, path);
            if (previous != null) {
                Entry n = e.get("name");
                report(error(n == null ? m.pos() : n.value().pos(), path + ".name",
                        "duplicate listener name '" + name + "' (also used by " + previous + ")"));
            }
        }
        List<HostAndPort> listen = listen(m, path);
        List<HostAndPort> upstreams = upstreams(e, path);
        UpstreamPolicy upstreamPolicy = opt(e, "upstream-policy", path, "round-robin, least-sessions or per-user",
                UpstreamPolicy::parse);
        String publicAddress = opt(e, "public-address", path, "an IP address", ConfigValues::publicAddress);
        PortRange clientPorts = opt(e, "client-data-ports", path, "a port range LO-HI", ConfigValues::portRange);
        PortRange serverPorts = opt(e, "server-data-ports", path, "a port range LO-HI", ConfigValues::portRange);
        UpstreamMode mode = opt(e, "upstream-mode", path, "passive, active or client", ConfigValues::upstreamMode);
        Boolean early = opt(e, "early-server-leg", path, "true or false", ConfigValues::bool);
        DataPathMode dataPath = opt(e, "data-path", path, "relay or kernel",
                t -> ConfigValues.choice(t, DataPathMode.values()));
        String banner = opt(e, "banner", path, "a one-line text", ConfigValues::replyText);
        String syst = opt(e, "syst-reply", path, "a one-line text", ConfigValues::replyText);
        var allowClient = optList(e, "allow-client", path, "address blocks", ConfigValues::cidr);
        var allowDest = optList(e, "allow-destination", path, "address blocks", ConfigValues::cidr);
        ListenerPolicy listenerPolicy = policies.listenerPolicy(e, path);
        Placement.Source source = transparentSource(e, path,
                upstreams == null || upstreams.isEmpty() ? null : upstreams.get(0));
        ListenerProxy proxy = proxy(m, path);
        if (name == null || listen.isEmpty()) {
            return null;
        }
        ListenerConfig l;
        try {
            l = ListenerConfig.builder(name).listen(listen).upstreams(upstreams).upstreamPolicy(upstreamPolicy)
                    .publicAddress(publicAddress)
                    .clientDataPorts(clientPorts).serverDataPorts(serverPorts).upstreamMode(mode)
                    .allowClient(allowClient).allowDestination(allowDest).listenerPolicy(listenerPolicy)
                    .earlyServerLeg(early == null || early).banner(banner).systReply(syst)
                    .tls(tls.read(e, path)).transparent(source).proxy(proxy).dataPath(dataPath).build();
        } catch (IllegalArgumentException | NullPointerException ex) {
            report(error(m.pos(), path, ex.getMessage()));
            return null;
        }
        String problem = ConfigValues.allowDestinationProblem(l);
        if (problem != null) {
            report(error(e.get("allow-destination").keyPos(), path + ".allow-destination", problem
                    + " (remove allow-destination, or remove upstream to make it a forward listener)"));
        }
        dataPorts(e, path, clientPorts, serverPorts, l);
        return l;
    }

    /**
     * {@code upstream}: one {@code HOST:PORT}, or a list of them (a pool). One key for both, as {@code listen}
     * does it, rather than a second {@code upstreams} key: a file cannot then say both, and a one-server listener
     * grows into a pool by turning its value into a list. A server named twice, or {@code upstream-policy}
     * without an upstream, is a problem (recorded).
     */
    private List<HostAndPort> upstreams(Map<String, Entry> e, String path) {
        Entry entry = e.get("upstream");
        if (entry == null) {
            if (e.containsKey("upstream-policy")) {
                report(error(e.get("upstream-policy").keyPos(), path + ".upstream-policy",
                        "applies only to reverse listeners; add 'upstream' with the servers to choose among"));
            }
            return null;
        }
        List<HostAndPort> items = addresses(entry, path + ".upstream", "HOST:PORT of the FTP server(s)",
                ConfigValues::upstream);
        List<HostAndPort> seen = new ArrayList<>();
        for (int j = 0; j < items.size(); j++) {
            HostAndPort hp = items.get(j);
            if (hp != null && seen.contains(hp)) {
                report(error(itemPos(entry.value(), j), path + ".upstream[" + j + "]", hp + " is listed twice"));
            } else if (hp != null) {
                seen.add(hp);
            }
        }
        return seen;
    }

    /** One address or a list of them, with null for a bad item (recorded), and an empty list recorded too. */
    private List<HostAndPort> addresses(Entry entry, String path, String what,
            java.util.function.Function<String, HostAndPort> parser) {
        int before = problemCount();
        List<HostAndPort> items = items(entry.value(), path, what, parser);
        if (items.isEmpty() && problemCount() == before) {
            report(error(entry.value().pos(), path, "expected at least one HOST:PORT address, got an empty list"));
        }
        return items;
    }

    /**
     * {@code placement} and {@code transparent-source}: the source of a transparent listener (gateway unless
     * written), or null for the others. A placement that contradicts {@code upstream} is reported at the key.
     */
    private Placement.Source transparentSource(Map<String, Entry> e, String path, HostAndPort upstream) {
        Placement written = opt(e, "placement", path, "forward, reverse or transparent", ConfigValues::placement);
        Placement.Source source = opt(e, "transparent-source", path, "gateway or client",
                ConfigValues::transparentSource);
        String problem = written == null ? null : ConfigValues.placementProblem(written, upstream);
        if (problem != null) {
            report(error(e.get("placement").value().pos(), path + ".placement", problem));
            return null;
        }
        if (source != null && written != Placement.TRANSPARENT) {
            report(error(e.get("transparent-source").keyPos(), path + ".transparent-source",
                    "applies only to placement: transparent"));
            return null;
        }
        if (written != Placement.TRANSPARENT) {
            return null;
        }
        return source == null ? Placement.Source.GATEWAY : source;
    }

    /** The PROXY protocol keys; a combination that cannot work is recorded at the first key, and ignored. */
    private ListenerProxy proxy(MapNode m, String path) {
        Map<String, Entry> e = m.entries();
        String versions = "off, v1, v2 or any";
        ProxyVersion in = opt(e, "proxy-protocol", path, versions, t -> ProxyVersion.parse(t, true));
        var from = optList(e, "proxy-protocol-from", path, "address blocks", ConfigValues::cidr);
        ProxyVersion data = opt(e, "data-proxy-protocol", path, versions, t -> ProxyVersion.parse(t, true));
        ProxyVersion server = opt(e, "server-proxy-protocol", path, "off, v1 or v2",
                t -> ProxyVersion.parse(t, false));
        try {
            return new ListenerProxy(in, from, data, server);
        } catch (IllegalArgumentException ex) {
            // At the setting that needs the balancers: proxy-protocol when it is on, else data-proxy-protocol.
            String key = in != null && in.on() ? "proxy-protocol" : "data-proxy-protocol";
            Entry at = e.get(key);
            report(error(at == null ? m.pos() : at.keyPos(), path + "." + key, ex.getMessage()));
            return null;
        }
    }

    /** The listener's good listen addresses (none when the key is missing or has no good one: recorded). */
    private List<HostAndPort> listen(MapNode m, String path) {
        Entry listen = m.entries().get("listen");
        if (listen == null) {
            report(error(m.pos(), path + ".listen", "missing; expected the HOST:PORT address(es) to accept"
                    + " control connections on, e.g. listen: \"0.0.0.0:21\""));
            return List.of();
        }
        List<HostAndPort> items = addresses(listen, path + ".listen", "HOST:PORT addresses",
                ConfigValues::listenAddress);
        for (int j = 0; j < items.size(); j++) {
            HostAndPort hp = items.get(j);
            String other = hp == null || hp.port() == 0 ? null : bound.putIfAbsent(hp, path + ".listen[" + j + "]");
            if (other != null) {
                report(error(itemPos(listen.value(), j), path + ".listen[" + j + "]",
                        hp + " is already used by " + other));
            }
        }
        return items.stream().filter(hp -> hp != null).toList();
    }

    /**
     * Client and server data-port ranges must not share a port. The server range counts when it is written, or
     * when the listener can open server-side pinholes (upstream mode active or client); a range whose value had
     * a problem ({@code null} though written: recorded already) is not compared.
     */
    private void dataPorts(Map<String, Entry> e, String path, PortRange client, PortRange server, ListenerConfig l) {
        boolean clientGiven = e.containsKey("client-data-ports");
        boolean serverGiven = e.containsKey("server-data-ports");
        if ((clientGiven && client == null) || (serverGiven && server == null) || (!clientGiven && !serverGiven)
                || (!serverGiven && l.upstreamMode() == UpstreamMode.PASSIVE)) {
            return;
        }
        // Reported at the server range when it is written, else at the client range (the server's is the default).
        String key = serverGiven ? "server-data-ports" : "client-data-ports";
        String problem = serverGiven
                ? ConfigValues.dataPortsOverlap(l.serverDataPorts(), l.clientDataPorts(),
                        "client-data-ports" + (clientGiven ? "" : " (default)"))
                : ConfigValues.dataPortsOverlap(l.clientDataPorts(), l.serverDataPorts(),
                        "server-data-ports (default)");
        if (problem != null) {
            report(error(e.get(key).value().pos(), path + "." + key, problem));
        }
    }

    private static Pos itemPos(Node n, int j) {
        return n instanceof Seq s ? s.items().get(j).pos() : n.pos();
    }

    /** A listener name: it appears in logs and audit events, so it is kept to a safe alphabet. */
    private static String name(String text) {
        if (!ConfigLoader.NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("expected a name of up to 64 letters, digits, '.', '_' or '-', got '"
                    + text + "'");
        }
        return text;
    }
}
