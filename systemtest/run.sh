#!/usr/bin/env bash
# ftpgate system test: one command, as root. Builds network namespaces st-*, runs real clients, servers and
# attackers through ftpgate (see docs/systemtest.md), prints a summary and exits non-zero on any failure.
# Cleans up its namespaces and processes on exit, also when it fails or is interrupted.
#
#   sudo systemtest/run.sh                      # the whole test (about 12 minutes on 2 cores)
#   sudo systemtest/run.sh --only ^kernel- --skip-attacks --skip-stall   # the kernel data path's cells alone
#   sudo systemtest/run.sh --only 'curl-.*-rev' --skip-attacks      # a part of the matrix
#   sudo ST_BIG_MIB=5 systemtest/run.sh         # smaller large file
#   sudo systemtest/run.sh --skip-matrix --skip-ftps --skip-attacks   # the curl stall check alone
#   sudo systemtest/run.sh --only ftps- --skip-attacks --skip-stall   # the FTPS cells alone
set -uo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

if [ "$(id -u)" -ne 0 ]; then
    echo "systemtest/run.sh: must run as root (it creates network namespaces); try: sudo $0 $*" >&2
    exit 2
fi

missing=()
for tool in ip nft tcpdump curl lftp tnftp nmap java javac taskset chrt openssl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x /usr/sbin/vsftpd ] || missing+=(vsftpd)
/usr/bin/python3 -c 'import pyftpdlib' >/dev/null 2>&1 || missing+=(python3-pyftpdlib)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "systemtest/run.sh: missing: ${missing[*]}" >&2
    echo "  install: apt-get install -y vsftpd python3-pyftpdlib curl lftp tnftp nmap nftables iproute2 tcpdump openssl" >&2
    exit 2
fi

jar="${FTPGATE_JAR:-$root/target/ftpgate.jar}"
if [ ! -f "$jar" ]; then
    echo "systemtest/run.sh: $jar missing; building it" >&2
    (cd "$root" && mvn -B -q -DskipTests package) || exit 2
fi
export FTPGATE_JAR="$jar"

loose=/sys/module/nf_conntrack_ftp/parameters/loose
loose_orig="$(cat "$loose" 2>/dev/null || true)"
cleanup() {
    "$here/world.sh" down >/dev/null 2>&1 || true
    if [ -n "$loose_orig" ] && [ -w "$loose" ]; then echo "$loose_orig" > "$loose" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/bin/python3 "$here/systemtest.py" "$@"
