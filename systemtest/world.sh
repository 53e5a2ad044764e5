#!/usr/bin/env bash
# The system-test world in network namespaces (documentation addresses only). See docs/systemtest.md.
#
#   internet segment (switch st-swo)                         inside segment (switch st-swi)
#   st-cli  client    203.0.113.10   2001:db8:1::10          st-srv  servers 198.51.100.20  2001:db8:2::20
#   st-atk  attacker  203.0.113.66   2001:db8:1::66          st-vic  victim  198.51.100.30  2001:db8:2::30
#   st-gw   gateway   203.0.113.1    2001:db8:1::1   |  198.51.100.1  2001:db8:2::1   (ip_forward=0)
#                                                            st-in   inside client 198.51.100.40 2001:db8:2::40
#
# No host has a route to the other segment and the gateway does not forward: only ftpgate connects them.
# (st_kernel.py turns forwarding on for the kernel data path, with a filter that forwards only what
# ftpgate's own nftables table translated.)
# usage: world.sh up | down | status
set -euo pipefail

NAMESPACES="st-cli st-atk st-gw st-srv st-vic st-in st-swo st-swi"

down() {
    for ns in $NAMESPACES; do
        if ip netns list | grep -qw "$ns"; then
            # End whatever still runs inside (only processes this test started live in st-* namespaces).
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}

# host NS IFNAME SWITCH PORTNAME
link() {
    ip link add "$3" netns "$1" type veth peer name "$4" netns "$2"
    ip -n "$2" link set "$4" master br0 up
    ip -n "$1" link set "$3" up
}

addr() { # ns ifname v4/len v6/len
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$1" addr add "$4" dev "$2" nodad
}

up() {
    down
    for ns in $NAMESPACES; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
            net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
    done
    for sw in st-swo st-swi; do
        ip -n "$sw" link add br0 type bridge
        ip -n "$sw" link set br0 up
    done
    link st-cli st-swo eth0 p-cli;  addr st-cli eth0 203.0.113.10/24 2001:db8:1::10/64
    link st-atk st-swo eth0 p-atk;  addr st-atk eth0 203.0.113.66/24 2001:db8:1::66/64
    link st-gw  st-swo out  p-gw;   addr st-gw  out  203.0.113.1/24  2001:db8:1::1/64
    link st-gw  st-swi in   p-gw;   addr st-gw  in   198.51.100.1/24 2001:db8:2::1/64
    link st-srv st-swi eth0 p-srv;  addr st-srv eth0 198.51.100.20/24 2001:db8:2::20/64
    link st-vic st-swi eth0 p-vic;  addr st-vic eth0 198.51.100.30/24 2001:db8:2::30/64
    link st-in  st-swi eth0 p-in;   addr st-in  eth0 198.51.100.40/24 2001:db8:2::40/64
}

status() {
    for ns in $NAMESPACES; do
        echo "== $ns"; ip -n "$ns" -br addr 2>/dev/null || true
    done
}

"${1:-status}"
