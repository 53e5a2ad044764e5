#!/bin/bash
# What would one data connection cost if ftpgate forwarded it in the kernel (the "kernel data path" issue 6
# plans as a separate step)? Such a path must install, per transfer, a rule that maps (client address, pinhole
# port) to (server address, server port) and removes itself after one connection. This probe builds that rule
# set in a scratch network namespace (a single-use dnat through a set lookup and a dynset delete), checks that
# it forwards once and then refuses, and measures the CPU spent per installed mapping:
#   - one long-lived `nft -i` (interactive) fed one line per transfer, acked by listing an empty table;
#   - one `nft` process per transfer;
#   - all mappings in one `nft -f` transaction (a lower bound for the tool);
#   - one netlink transaction per transfer on a long-lived socket, as a gateway with its own client would.
# Usage: bench/nft-probe.sh [N]   (as root; needs nft and python3; uses only its own namespace; NL: see below)
set -euo pipefail
N=${1:-2000}
# Pinhole ports are 1024+i, so N must fit below 65535; and the nft -i run is split into quarters.
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 4 ] && [ "$N" -le 60000 ] || { echo "N must be 4..60000" >&2; exit 2; }
NS=ftpgate-nftprobe
ip netns del "$NS" 2>/dev/null || true   # a namespace left by an interrupted run of this probe

ip netns add "$NS"
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns exec "$NS" nft -f - <<'NFT'
table ip ftpgate {
  # (client address . pinhole port) -> (server address . server port), one element per open pinhole.
  map target { type ipv4_addr . inet_service : ipv4_addr . inet_service; flags timeout; }
  # Armed pinholes: the first new connection deletes its element, so a second one finds nothing (single use).
  set armed { type ipv4_addr . inet_service; flags timeout; }
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ct state new ip saddr . tcp dport @armed delete @armed { ip saddr . tcp dport } dnat ip to ip saddr . tcp dport map @target
  }
}
# An empty table: listing it is the cheapest command that prints something, the probe's acknowledgement.
table ip fence { }
NFT
# Does the rule do what it must? Locally made connections take the output hook, so a copy of the rule there
# lets one namespace check it: the first connection to the armed port reaches the listener, the second does not.
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" nft add chain ip ftpgate out '{ type nat hook output priority -100; policy accept; }'
ip netns exec "$NS" nft add rule ip ftpgate out ct state new ip saddr . tcp dport @armed \
    delete @armed '{ ip saddr . tcp dport }' dnat ip to ip saddr . tcp dport map @target
ip netns exec "$NS" nft add element ip ftpgate armed '{ 127.0.0.1 . 7000 timeout 30s }'
ip netns exec "$NS" nft add element ip ftpgate target '{ 127.0.0.1 . 7000 timeout 30s : 127.0.0.1 . 9000 }'
ip netns exec "$NS" python3 - <<'PY'
import socket, sys
srv = socket.socket(); srv.bind(('127.0.0.1', 9000)); srv.listen()
def attempt():
    c = socket.socket(); c.settimeout(2)
    try:
        c.connect(('127.0.0.1', 7000)); return "connected (forwarded to 9000)"
    except OSError as e:
        return "refused (%s)" % e.strerror
    finally:
        c.close()
first, second = attempt(), attempt()
print("single-use check: first connection %s; second %s" % (first, second))
sys.exit(0 if first.startswith("connected") and second.startswith("refused") else "single-use check FAILED")
PY
ip netns exec "$NS" nft delete chain ip ftpgate out
echo "== $(date -u +%FT%TZ) $(uname -r) $(nft --version) load $(cut -d' ' -f1-3 /proc/loadavg)"
ip netns exec "$NS" nft list table ip ftpgate
ip netns exec "$NS" python3 - "$N" <<'PY'
import os, subprocess, sys, time
N = int(sys.argv[1])
def cpu_ticks(pid):
    f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return int(f[11]) + int(f[12])   # utime + stime
tick_us = 1e6 / os.sysconf('SC_CLK_TCK')
def pinhole(i):
    return ("add element ip ftpgate armed { 192.0.2.10 . %d timeout 30s }; "
            "add element ip ftpgate target { 192.0.2.10 . %d timeout 30s : 198.51.100.20 . %d }"
            % (1024 + i, 1024 + i, 30000 + i % 30000))
p = subprocess.Popen(['nft', '-i'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     text=True, bufsize=1)
def install(line):
    # nft -i prints nothing on success; the listing of an empty table is the acknowledgement.
    p.stdin.write(line + "\nlist table ip fence\n"); p.stdin.flush()
    while True:
        l = p.stdout.readline()
        if not l:
            sys.exit("nft -i ended")
        if l.startswith('}'):
            return
        if 'Error' in l:
            sys.exit("nft: " + l.strip())
install(pinhole(0))
done = 1
for batch in (N // 4, N // 4, N // 2):
    c0, t0 = cpu_ticks(p.pid), time.time()
    for i in range(done, done + batch):
        install(pinhole(i))
    dt, dc = time.time() - t0, cpu_ticks(p.pid) - c0
    print("nft -i: %5d pinholes installed, %5d to %5d elements in the set: %4.0f us wall, %4.0f us nft CPU per pinhole"
          % (batch, done, done + batch, dt / batch * 1e6, dc * tick_us / batch))
    done += batch
p.stdin.close(); p.wait()
def flush():
    subprocess.run(['nft', 'flush', 'set', 'ip', 'ftpgate', 'armed'], check=True)
    subprocess.run(['nft', 'flush', 'map', 'ip', 'ftpgate', 'target'], check=True)
def child_cpu():
    t = os.times()
    return t.children_user + t.children_system
flush()
M = max(50, N // 20)
t0, c0 = time.time(), child_cpu()
for i in range(M):
    subprocess.run(['nft', pinhole(i)], check=True)
print("nft per call: %d pinholes: %4.0f us wall, %4.0f us CPU (children) per pinhole"
      % (M, (time.time() - t0) / M * 1e6, (child_cpu() - c0) / M * 1e6))
# One transaction with every mapping: the per-mapping cost left when parsing and the netlink round trip are
# shared, close to what a client speaking netlink itself would pay per pinhole (a lower bound, not measured).
flush()
batch = "".join(pinhole(i).replace("; ", "\n") + "\n" for i in range(N))
t0, c0 = time.time(), child_cpu()
subprocess.run(['nft', '-f', '-'], input=batch, text=True, check=True)
print("nft -f, one transaction of %d pinholes: %4.0f us wall, %4.0f us CPU (children) per pinhole"
      % (N, (time.time() - t0) / N * 1e6, (child_cpu() - c0) / N * 1e6))
PY
# The same pinholes installed the way a gateway with its own netlink client would: one transaction each on a
# long-lived socket, acknowledged (bench/probe/nft_netlink.py). NL (default 20000) transactions, because the
# CPU figures come from os.times(), which counts in 10 ms ticks.
NL=${NL:-20000}
[[ "$NL" =~ ^[0-9]+$ ]] && [ "$NL" -ge 1000 ] && [ "$NL" -le 60000 ] || { echo "NL must be 1000..60000" >&2; exit 2; }
ip netns exec "$NS" nft flush set ip ftpgate armed
ip netns exec "$NS" nft flush map ip ftpgate target
ip netns exec "$NS" python3 "$(dirname "$0")/probe/nft_netlink.py" "$NL"
# What netlink installed is what nft would have: check one mapping and the count.
ip netns exec "$NS" nft get element ip ftpgate target '{ 192.0.2.10 . 1025 }' | grep -q ': 198.51.100.20 . 30001' \
    || { echo "netlink check FAILED: 192.0.2.10 . 1025 is not mapped to 198.51.100.20 . 30001" >&2; exit 1; }
count=$(ip netns exec "$NS" nft -j list set ip ftpgate armed | python3 -c \
    "import json,sys; print(len([x for x in json.load(sys.stdin)['nftables'] if 'set' in x][0]['set'].get('elem', [])))")
[ "$count" -eq $((NL + 1)) ] || { echo "netlink check FAILED: $count armed elements, expected $((NL + 1))" >&2; exit 1; }
echo "netlink check: $count armed elements, 192.0.2.10 . 1025 maps to 198.51.100.20 . 30001"
