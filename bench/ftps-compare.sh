#!/bin/bash
# ftps-compare.sh [ROUNDS=3] — FTPS side by side in ONE run, interleaved: curl --ssl-reqd from namespace fgc
# to vsftpd with TLS (require_ssl_reuse=YES) in fgs,
#   direct          routed, no proxy (the baseline)
#   ftpgate-jdk     ftpgate, client-tls required + server-tls required, tls-provider jdk
#   ftpgate-openssl the same with tls-provider openssl (BoringSSL, netty-tcnative)
#   proftpd-tls     ProFTPD mod_proxy + mod_tls, TLS on both sides (ftps/proftpd-mod-proxy-tls.conf)
#   ftpgate-clear   ftpgate in clear to the cleartext vsftpd (:21): the reference for "TLS bulk >= 0.8 x clear"
# Per round and path (the order of the paths rotates every round): a 1 GiB download, a 1 GiB upload (UPLOAD=0
# skips it) and SMALL (500) files of 4 KiB over one session with lftp (mget; curl measured itself, see
# smallfiles), every data connection resuming the control session. Prints one line per measurement, then medians, ratios to direct and to ftpgate-clear.
# CPU per GiB: the proxy's process (ftpgate's JVM; ProFTPD's master, which collects its session processes).
# Env: JAR (target/ftpgate.jar), BENCH_WORLD, SMALL, UPLOAD, JVM (extra JVM options for the TLS gateways).
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
world=${BENCH_WORLD:-$root/bench/world}
rounds=${1:-3} small=${SMALL:-500} upload=${UPLOAD:-1} jar=${JAR:-$root/target/ftpgate.jar}
d=/tmp/fgbench-ftps
[ -s "$jar" ] || { echo "no $jar: build it first (mvn -B -o -q -DskipTests package)" >&2; exit 2; }
"$world/setup.sh" >/dev/null
mkdir -p $d/proftpd/tables; chmod 711 $d $d/proftpd

# Certificates: P-256 for every TLS server (vsftpd, both gateways' client side, ProFTPD).
cert() { [ -s $d/$1.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=$2" -addext "subjectAltName=IP:$2" -keyout $d/$1.key -out $d/$1.pem 2>/dev/null; }
cert server 198.51.100.20; cert gw 192.0.2.1
chmod 644 $d/*.key $d/*.pem   # ProFTPD reads its key as root; vsftpd too; world-readable keys are bench-only
for f in vsftpd-tls.conf proftpd-mod-proxy-tls.conf; do sed "s|@DIR@|$d|g" "$here/ftps/$f" > $d/$f; done

listening() { ip netns exec "$1" ss -ltnp | sed "s/\\[::ffff:\\([0-9.]*\\)\\]/\\1/g" | grep -F "$2 "; }
wait_port() { for i in $(seq 120); do listening "$1" "$2" >/dev/null && return 0; sleep 0.5; done
  echo "nothing listens on $2 in $1" >&2; return 1; }
pid_on() { listening "$1" "$2" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -s $d/proftpd/proftpd.pid ] && kill "$(cat $d/proftpd/proftpd.pid)" 2>/dev/null || true
  ip -n fgs route del 192.0.2.0/24 2>/dev/null || true
  rm -f /srv/ftpbench/up/ftps-*.bin; rm -rf $d/small.*; }
trap cleanup EXIT

# vsftpd with TLS in fgs (:2100), beside the shared cleartext one (:21). Left running, like the shared one.
if ! listening fgs 198.51.100.20:2100 >/dev/null; then
  (ip netns exec fgs setsid /usr/sbin/vsftpd $d/vsftpd-tls.conf >$d/vsftpd.log 2>&1 &)
  wait_port fgs 198.51.100.20:2100
fi

# The gateways: one JVM each, so that each one's CPU is its own.
gwyaml() { cat > $d/gw-$1.yaml <<EOF
listeners:
  - name: ftps-$1
    listen: "192.0.2.1:$2"
    upstream: "198.51.100.20:2100"
    client-data-ports: $3
    client-tls: required
    tls-certificate: $d/gw.pem
    tls-key: $d/gw.key
    server-tls: required
    server-ca: $d/server.pem
    tls-provider: $1
EOF
}
gwyaml jdk 2131 52000-52999; gwyaml openssl 2132 53000-53999
java="java -Djava.net.preferIPv4Stack=true"
start() { ip netns exec fgw setsid $java $2 -jar "$jar" run $3 >$d/$1.log 2>&1 & pids+=($!); }
start gw-clear "" "--listen 192.0.2.1:2121 --upstream 198.51.100.20:21 --client-data-ports 50000-50999"
start gw-jdk "${JVM:-}" "--config $d/gw-jdk.yaml"
start gw-openssl "${JVM:-}" "--config $d/gw-openssl.yaml"
(cd /tmp && ip netns exec fgw setsid /opt/fgbench/proftpd/usr/sbin/proftpd -n -c $d/proftpd-mod-proxy-tls.conf \
  >$d/proftpd/stdout.log 2>&1 &)
for p in 2121 2131 2132 2133; do wait_port fgw 192.0.2.1:$p; done
declare -A host=([direct]=198.51.100.20 [ftpgate-jdk]=192.0.2.1 [ftpgate-openssl]=192.0.2.1
  [proftpd-tls]=192.0.2.1 [ftpgate-clear]=192.0.2.1)
declare -A port=([direct]=2100 [ftpgate-jdk]=2131 [ftpgate-openssl]=2132 [proftpd-tls]=2133 [ftpgate-clear]=2121)
declare -A pid=([direct]="" [ftpgate-jdk]=$(pid_on fgw 192.0.2.1:2131) [ftpgate-openssl]=$(pid_on fgw 192.0.2.1:2132)
  [proftpd-tls]=$(cat $d/proftpd/proftpd.pid) [ftpgate-clear]=$(pid_on fgw 192.0.2.1:2121))
paths=(direct ftpgate-jdk ftpgate-openssl proftpd-tls ftpgate-clear)

url() { echo "ftp://bench:bench@${host[$1]}:${port[$1]}/$2"; }
tls() { [ "$1" = ftpgate-clear ] || echo "--ssl-reqd -k"; }
fgc_curl() { ip netns exec fgc timeout "$1" curl -s $(tls "$2") "${@:3}"; } # SECONDS PATH ARGS
# CPU ticks of a proxy (own + reaped children: ProFTPD's session processes); 0 for direct.
ticks() { [ -n "${pid[$1]}" ] && awk '{print $14+$15+$16+$17}' /proc/${pid[$1]}/stat || echo 0; }
route() { if [ "$1" = direct ]; then ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
  else ip -n fgs route del 192.0.2.0/24 2>/dev/null || true; fi; }
hz=$(getconf CLK_TCK)
cpu_per_gib() { awk -v a="$1" -v b="$2" -v bytes="$3" -v hz="$hz" \
  'BEGIN{ if (bytes > 0 && b > a) printf "%.2f", (b-a)/hz/(bytes/1073741824); else printf "-" }'; }

bulk() { # PATH download|upload -> "MBps cpu_s_per_GiB"
  local p=$1 t0 t1 out
  route "$p"; t0=$(ticks "$p")
  if [ "$2" = download ]; then
    out=$(fgc_curl 120 "$p" -o /dev/null -w '%{speed_download} %{size_download}' "$(url "$p" big.bin)" || echo "0 0")
  else
    out=$(fgc_curl 120 "$p" -T /srv/ftpbench/big.bin -w '%{speed_upload} %{size_upload}' \
      "$(url "$p" up/ftps-$p.bin)" || echo "0 0")
    rm -f /srv/ftpbench/up/ftps-$p.bin
  fi
  sleep 0.3; t1=$(ticks "$p"); route none
  set -- $out
  [ "$2" = 1073741824 ] || { echo "0 -"; return; }
  echo "$(awk -v s="$1" 'BEGIN{printf "%.0f", s/1e6}') $(cpu_per_gib "$t0" "$t1" "$2")"
}
ref=$(cd /srv/ftpbench/small && sha256sum $(seq -f 'f%g.bin' 1 "$small") | sha256sum | cut -c1-16)
smallfiles() { # PATH N -> "files_per_s sha_ok": lftp, one session, mget of N files
  # lftp (GnuTLS), not curl: curl 7.88 over TLS waits ~0.2 s per file in its own control exchange (SIZE ->
  # 213 took 0.2 s direct to vsftpd, the request's TLS record leaving curl in two parts 0.1 s apart), and
  # has the 1 s passive stall (docs/benchmarks.md "curl's figure"): it measured curl, not the path.
  local p=$1 n=$2 dir=$d/small.$1 s e ok=n/a ssl="set ftp:ssl-force true; set ftp:ssl-protect-data true"
  [ "$p" = ftpgate-clear ] && ssl="set ftp:ssl-allow false"
  rm -rf "$dir"; mkdir -p "$dir"; route "$p"
  s=$(date +%s.%N)
  local cmd="$ssl; set ssl:verify-certificate no; set ftp:passive-mode true; set net:max-retries 1; cd small"
  cmd="$cmd; mget $(seq -f 'f%g.bin' 1 "$n" | tr '\n' ' '); quit"
  (cd "$dir" && ip netns exec fgc timeout 600 lftp -u bench,bench -e "$cmd" "${host[$p]}:${port[$p]}" >/dev/null 2>&1 || true)
  e=$(date +%s.%N); route none
  [ "$n" = "$small" ] && { ok=no; [ "$(cd "$dir" && sha256sum $(seq -f 'f%g.bin' 1 "$n") 2>/dev/null | sha256sum | cut -c1-16)" = "$ref" ] && ok=yes; }
  echo "$(awk -v n="$(ls "$dir" | wc -l)" -v s="$s" -v e="$e" 'BEGIN{printf "%.1f", n/(e-s)}') $ok"
}

echo "# ftps-compare $(date -u +%FT%TZ) rounds=$rounds small=$small upload=$upload jar=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) load=$(cut -d' ' -f1-3 /proc/loadavg)"
for p in "${paths[@]}"; do   # what each client leg negotiates, once
  route "$p"
  v=$(fgc_curl 60 "$p" -v -o /dev/null "$(url "$p" small/f1.bin)" 2>&1 | grep -o 'SSL connection using [^ ]* / [^ ]*' | head -1)
  route none; echo "# $p client leg: ${v:-clear}"
done
grep -h 'TLSv1\.[23] connection created' $d/proftpd/proxy.log 2>/dev/null | tail -1 | sed 's/^/# proftpd-tls server leg: /'
# Warm-up, not counted: one download and 200 small files per path (the JVMs compile their hot paths).
for p in "${paths[@]}"; do bulk "$p" download >/dev/null; smallfiles "$p" 200 >/dev/null; done

res=$(mktemp)
for r in $(seq "$rounds"); do
  order=("${paths[@]:$(( (r-1) % 5 ))}" "${paths[@]:0:$(( (r-1) % 5 ))}")
  for p in "${order[@]}"; do set -- $(bulk "$p" download); echo "round=$r path=$p test=download MBps=$1 cpu_s_per_GiB=$2" | tee -a "$res"; done
  if [ "$upload" = 1 ]; then
    for p in "${order[@]}"; do set -- $(bulk "$p" upload); echo "round=$r path=$p test=upload MBps=$1 cpu_s_per_GiB=$2" | tee -a "$res"; done
  fi
  for p in "${order[@]}"; do set -- $(smallfiles "$p" "$small"); echo "round=$r path=$p test=small files_per_s=$1 sha256_ok=$2" | tee -a "$res"; done
done

echo "# medians over $rounds rounds (ratio = to direct in this run; clear = to ftpgate-clear's figure)"
awk '
  function med(k,   n, i, j, t, a) { n = split(v[k], a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n ? a[int((n + 1) / 2)] : "-" }
  { split($2, p, "="); split($3, t, "="); split($4, m, "="); split($5, c, "=")
    k = p[2] SUBSEP t[2]; v[k] = v[k] " " m[2]; if (c[2] != "-" && c[1] == "cpu_s_per_GiB") cpu[k] = cpu[k] " " c[2]
    if ($5 ~ /sha256_ok=no/) bad[k]++; seen[p[2]] = 1; tests[t[2]] = 1 }
  END {
    n = split("direct ftpgate-jdk ftpgate-openssl proftpd-tls ftpgate-clear", P, " ")
    for (i = 1; i <= n; i++) { line = sprintf("%-16s", P[i])
      foreach_t = split("download upload small", T, " ")
      for (j = 1; j <= foreach_t; j++) { k = P[i] SUBSEP T[j]; if (!(T[j] in tests)) continue
        x = med(k); d0 = med("direct" SUBSEP T[j]); c0 = med("ftpgate-clear" SUBSEP T[j])
        line = line sprintf(" %s=%s ratio=%.2f", T[j], x, (d0 > 0) ? x / d0 : 0)
        if (T[j] != "small") { vv = v[k]; v[k] = cpu[k]; line = line sprintf(" cpu=%s", med(k)); v[k] = vv
          if (P[i] != "ftpgate-clear" && P[i] != "direct") line = line sprintf(" clear=%.2f", (c0 > 0) ? x / c0 : 0) }
        else if (bad[k]) line = line " SHA256-MISMATCH" }
      print line } }' "$res"
rm -f "$res"
