# kernel-lib.sh — sourced by bench/kernel-compare.sh, bench/kernel-small-files.sh and bench/kernel-crowd.sh:
# the benchmark world, the two ftpgate JVMs (kernel data path :2126, relay :2121), the user-space peers, and
# one cleanup. Not a command of its own.
#
# The two gateways run from one jar (JAR, default a private copy so that a rebuild in the worktree cannot
# change it mid-run). The kernel one mirrors the client's mode (upstream-mode client), so that both passive
# and active downloads can take the kernel path; its pinhole ranges are ftpgate's defaults (61000-61999,
# 62000-62999), above the kernel's ephemeral range. The relay one is the gateway of compare.sh
# (50000-50999, upstream-mode passive), so that its figures stay comparable with the earlier rounds.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
world=${BENCH_WORLD:-$root/bench/world}
d=/tmp/fgbench-kernel
mkdir -p $d
jar=${JAR:-$d/ftpgate.jar}
if [ -z "${JAR:-}" ]; then cp "$root/target/ftpgate.jar" "$jar" || { echo "build first: mvn -B -o -q -DskipTests package" >&2; exit 2; }; fi
"$world/setup.sh" >/dev/null
KTABLE=ftpgate_kernel_2126   # the kernel gateway's table: ftpgate_<first listener name>_<its first port>

listening() { ip netns exec "$1" ss -ltnp | sed "s/\\[::ffff:\\([0-9.]*\\)\\]/\\1/g" | grep -F "$2 "; }
wait_port() { for _ in $(seq 120); do listening "$1" "$2" >/dev/null && return 0; sleep 0.5; done
  echo "nothing listens on $2 in $1" >&2; return 1; }
pid_on() { listening "$1" "$2" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
route() { if [ "$1" = direct ]; then ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
  else ip -n fgs route del 192.0.2.0/24 2>/dev/null || true; fi; }
kelements() { # elements in the kernel gateway's sets and maps (killed ones expire by themselves after 30 s)
  ip netns exec fgw nft -j list table inet "$KTABLE" 2>/dev/null | python3 -c '
import json, sys
n = {}
for o in json.load(sys.stdin)["nftables"]:
    for k in ("set", "map"):
        if k in o: n[o[k]["name"]] = len(o[k].get("elem", []))
print(" ".join("%s=%d" % kv for kv in sorted(n.items())))'; }

pids=()
gw_yaml() { # NAME PORT CLIENT_PORTS SERVER_PORTS MODE UPSTREAM_MODE [EXTRA_TOP_LEVEL_YAML]
  cat > $d/$1.yaml <<EOF
${7:-}
audit-log: $d/audit-$1.jsonl
listeners:
  - name: $1
    listen: "192.0.2.1:$2"
    upstream: "198.51.100.20:21"
    client-data-ports: $3
    server-data-ports: $4
    upstream-mode: $6
    data-path: $5
EOF
}
start_gw() { # NAME PORT -- starts ftpgate with $d/NAME.yaml in fgw and waits for its port
  rm -f $d/audit-$1.jsonl
  ip netns exec fgw setsid java -Djava.net.preferIPv4Stack=true ${JVM:-} -jar "$jar" run --config $d/$1.yaml \
    >$d/$1.log 2>&1 &
  pids+=($!); eval "gwpid_$1=$!"
  wait_port fgw 192.0.2.1:$2
}
start_gateways() { # [EXTRA_TOP_LEVEL_YAML] -- the kernel gateway (:2126) and the relay (:2121)
  gw_yaml kernel 2126 61000-61999 62000-62999 kernel client "${1:-}"
  gw_yaml relay 2121 50000-50999 62000-62999 relay passive "${1:-}"
  start_gw kernel 2126; start_gw relay 2121
}
source "$here/peers.sh"
with_peers() { # SUSE ftp-proxy :2122, ProFTPD mod_proxy :2123, Squid :2124
  start_peers "$world"
  for p in 2122 2123 2124; do wait_port fgw 192.0.2.1:$p || true; done
}
stop_gw() { # NAME -- SIGTERM (a clean exit removes the kernel table) and wait for the exit
  local v="gwpid_$1"; [ -n "${!v:-}" ] || return 0
  kill "${!v}" 2>/dev/null || true
  for _ in $(seq 40); do kill -0 "${!v}" 2>/dev/null || return 0; sleep 0.25; done
}
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_peers
  ip netns exec fgw nft delete table inet fgnat 2>/dev/null || true
  route none
}
trap cleanup EXIT
