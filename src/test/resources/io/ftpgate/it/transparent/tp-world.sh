#!/bin/sh
# The network of TransparentPlacementIT: tp-gw routes between a client (tp-cli) and two FTP servers (tp-s1,
# tp-s2), each on its own link, so a session's server can only come from the connection's destination.
#
#   tp-cli 10.77.1.2 ── 10.77.1.1 tp-gw 10.77.2.1 ── 10.77.2.2 tp-s1
#                                      10.77.3.1 ── 10.77.3.2 tp-s2 (also 10.77.3.3: a denied destination)
#
# up: creates it (removing leftovers first); down: removes it; nft FILE: loads ftpgate's rules and policy
# routing (FILE holds 'ftpgate print-nft' output) in tp-gw; nft-off: removes them again.
set -eu
NS="tp-cli tp-gw tp-s1 tp-s2"
gw() { ip netns exec tp-gw "$@"; }

down() {
    for n in $NS; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
    for n in $NS; do ip netns del "$n" 2>/dev/null || true; done
}

link() { # NS IF_IN_NS ADDR GW_IF GW_ADDR
    ip link add "$4" netns tp-gw type veth peer name "$2" netns "$1"
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set "$2" up
    ip -n "$1" link set lo up
    ip -n "$1" route add default via "$5"
    ip -n tp-gw addr add "$5/24" dev "$4"
    ip -n tp-gw link set "$4" up
}

up() {
    down
    for n in $NS; do ip netns add "$n"; done
    ip -n tp-gw link set lo up
    link tp-cli c0 10.77.1.2 g1 10.77.1.1
    link tp-s1 s0 10.77.2.2 g2 10.77.2.1
    link tp-s2 s0 10.77.3.2 g3 10.77.3.1
    ip -n tp-s2 addr add 10.77.3.3/24 dev s0
    gw sysctl -qw net.ipv4.ip_forward=1
}

case "$1" in
    up) up ;;
    down) down ;;
    nft)
        # The nft script, then each 'ip ...' line as a command: exactly what an administrator would run.
        grep -v '^ip ' "$2" | gw nft -f -
        grep '^ip ' "$2" | while read -r line; do gw $line; done ;;
    nft-off)
        gw nft delete table ip ftpgate 2>/dev/null || true
        gw ip rule del fwmark 0x21 lookup 121 2>/dev/null || true
        gw ip route flush table 121 2>/dev/null || true ;;
    *) echo "usage: $0 up|down|nft FILE|nft-off" >&2; exit 2 ;;
esac
