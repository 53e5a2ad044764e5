package io.ftpgate.policy;

import io.ftpgate.net.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * A selective FXP (server-to-server transfer) exception: clients in {@code clients} may point their data
 * connection at a peer in {@code peers} instead of themselves. This is the per-pair exception users ask for
 * instead of a global "allow foreign addresses" switch (ProFTPD's class-based AllowForeignAddress, Zorp's
 * permit_*_bounce_attack); without a matching rule FXP is refused as a bounce attempt.
 *
 * @param clients client address blocks the exception applies to
 * @param peers   data-connection peers those clients may name (PORT/EPRT) or receive (PASV/EPSV pinhole)
 */
public record FxpRule(List<Cidr> clients, List<Cidr> peers) {

    public FxpRule {
        clients = List.copyOf(clients);
        peers = List.copyOf(peers);
        if (clients.isEmpty() || peers.isEmpty()) {
            throw new IllegalArgumentException("an fxp rule needs both 'client' and 'peer' address blocks");
        }
    }

    /** True when any rule lets {@code client} use {@code peer} as its data-connection peer. */
    public static boolean allows(List<FxpRule> rules, InetAddress client, InetAddress peer) {
        for (FxpRule r : rules) {
            if (Cidr.anyContains(r.clients, client) && Cidr.anyContains(r.peers, peer)) {
                return true;
            }
        }
        return false;
    }
}
