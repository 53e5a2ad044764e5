#!/bin/sh
# The network of KernelDataPathIT: kd-gw routes (IPv4 and IPv6 forwarding on) between a client with two
# addresses per family (kd-cli) and a vsftpd server (kd-srv), each on its own link, so every data connection
# the kernel path translates is forwarded through kd-gw.
#
#   kd-cli 10.78.1.2 (+ .3)     ── 10.78.1.1   kd-gw 10.78.2.1   ── 10.78.2.2   kd-srv
#          fd78:1::2 (+ ::3)    ── fd78:1::1         fd78:2::1   ── fd78:2::2
#
# up: creates it (removing leftovers first); down: removes it.
set -eu
NS="kd-cli kd-gw kd-srv"

down() {
    for n in $NS; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
    for n in $NS; do ip netns del "$n" 2>/dev/null || true; done
}

link() { # NS IF_IN_NS ADDR4 ADDR6 GW_IF GW_ADDR4 GW_ADDR6
    ip link add "$5" netns kd-gw type veth peer name "$2" netns "$1"
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" -6 addr add "$4/64" dev "$2" nodad
    ip -n "$1" link set "$2" up
    ip -n "$1" link set lo up
    ip -n "$1" route add default via "$6"
    ip -n "$1" -6 route add default via "$7"
    ip -n kd-gw addr add "$6/24" dev "$5"
    ip -n kd-gw -6 addr add "$7/64" dev "$5" nodad
    ip -n kd-gw link set "$5" up
}

up() {
    down
    for n in $NS; do ip netns add "$n"; done
    ip -n kd-gw link set lo up
    ip netns exec kd-gw sysctl -qw net.ipv4.ip_forward=1
    ip netns exec kd-gw sysctl -qw net.ipv6.conf.all.forwarding=1
    link kd-cli c0 10.78.1.2 fd78:1::2 g1 10.78.1.1 fd78:1::1
    link kd-srv s0 10.78.2.2 fd78:2::2 g2 10.78.2.1 fd78:2::1
    ip -n kd-cli addr add 10.78.1.3/24 dev c0
    ip -n kd-cli -6 addr add fd78:1::3/64 dev c0 nodad
}

case "$1" in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
