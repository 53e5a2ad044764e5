#!/usr/bin/env bash
# Part of packaging/test-installed.sh, run by it inside `unshare --net --mount` (only loopback) with the package
# installed: vsftpd on 127.0.0.1:2100, the installed ftpgate on 127.0.0.1:21 as the user 'ftpgate' with only
# CAP_NET_BIND_SERVICE and the unit's system-call filter (as ftpgate.service runs it), one download by curl
# checked by sha256, the audit log, the syslog copy, a rotation by the shipped /etc/logrotate.d/ftpgate and a
# clean stop; then the same with a journald of its own (a private /run): the audit events in the journal and
# the application log as a journal stream.
# WORK: a folder for the files (removed by the caller).
set -euo pipefail

say() { echo "test-installed: $*" >&2; }
fail() {
    say "FAIL: $*"
    exit 1
}
work="${WORK:?}"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT

ip link set lo up

# Waits until FILE has a line matching PATTERN (grep -E), for at most SECONDS, while PID lives.
wait_for() {
    local file="$1" pattern="$2" seconds="$3" pid="$4" i
    for ((i = 0; i < seconds * 10; i++)); do
        grep -qE "$pattern" "$file" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || fail "process $pid ended while waiting for '$pattern' in $file"
        sleep 0.1
    done
    fail "no '$pattern' in $file after ${seconds}s"
}

# --- the FTP server: anonymous, read-only, one random file ------------------------------------------------------
mkdir -p "$work/ftp/root" "$work/ftp/empty"
head -c $((3 * 1024 * 1024 + 17)) /dev/urandom >"$work/ftp/root/payload.bin"
chmod -R a+rX "$work/ftp"
cat >"$work/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=2100
anonymous_enable=YES
no_anon_password=YES
local_enable=NO
write_enable=NO
anon_root=$work/ftp/root
background=NO
run_as_launching_user=YES
seccomp_sandbox=NO
connect_from_port_20=NO
secure_chroot_dir=$work/ftp/empty
xferlog_enable=NO
EOF
/usr/sbin/vsftpd "$work/vsftpd.conf" >"$work/vsftpd.log" 2>&1 &
pids+=($!)

# --- a syslog receiver: every datagram on 127.0.0.1:5514/udp, one per line ------------------------------------
python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5514))
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65535) + b"\n")
' "$work/syslog.txt" &
pids+=($!)

# --- the gateway, as the service runs it -------------------------------------------------------------------------
cat >"$work/ftpgate.yaml" <<EOF
audit-log: /var/log/ftpgate/audit.jsonl
audit-syslog: 127.0.0.1:5514
listeners:
  - name: installed-test
    listen: "127.0.0.1:21"
    upstream: "127.0.0.1:2100"
    client-data-ports: 61000-61099
EOF
chmod 644 "$work/ftpgate.yaml"
/usr/bin/ftpgate check-config "$work/ftpgate.yaml" >/dev/null || fail "check-config $work/ftpgate.yaml"
# As the unit runs it: user ftpgate, CAP_NET_BIND_SERVICE only (ambient and bounding set), no new privileges,
# and the unit's system-call filter (@system-service, others EPERM; seccomp-exec.py).
# setpriv, seccomp-exec.py, /usr/bin/ftpgate and java each exec the next (no fork): $! is the gateway's pid.
as_service=(setpriv --reuid=ftpgate --regid=ftpgate --init-groups --no-new-privs --inh-caps=-all,+net_bind_service
    --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service --
    /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/seccomp-exec.py")
FTPGATE_JAVA_OPTS="-Xmx128m" FTPGATE_LOG_LEVEL=INFO "${as_service[@]}" \
    /usr/bin/ftpgate run --config "$work/ftpgate.yaml" >"$work/ftpgate.log" 2>&1 &
gw=$!
pids+=("$gw")
wait_for "$work/ftpgate.log" 'listening on 127\.0\.0\.1:21' 30 "$gw"
grep -q -- '-Xmx128m' "/proc/$gw/cmdline" || fail "FTPGATE_JAVA_OPTS did not reach the JVM: $(tr '\0' ' ' <"/proc/$gw/cmdline")"
[ "$(stat -c %U "/proc/$gw")" = ftpgate ] || fail "the gateway does not run as ftpgate"
say "ftpgate (pid $gw, user ftpgate) listens on 127.0.0.1:21"

# --- one download, checked ----------------------------------------------------------------------------------------
want="$(sha256sum <"$work/ftp/root/payload.bin" | cut -d' ' -f1)"
download() {
    rm -f "$work/got.bin"
    curl -sS --max-time 30 -o "$work/got.bin" ftp://127.0.0.1:21/payload.bin || fail "curl through ftpgate failed"
    local got
    got="$(sha256sum <"$work/got.bin" | cut -d' ' -f1)"
    [ "$got" = "$want" ] || fail "sha256 differs: sent $want, received $got"
}
download
size="$(stat -c %s "$work/ftp/root/payload.bin")"
say "curl ftp://127.0.0.1:21/payload.bin: $size bytes, sha256 $want (same as served)"

transfer_line='"event":"transfer".*"command":"RETR".*"bytes":'"$size"'.*"outcome":"ok"'
audit=/var/log/ftpgate/audit.jsonl
wait_for "$audit" "$transfer_line" 10 "$gw"
say "audit log $audit: $(grep -c . "$audit") events, the transfer among them"
wait_for "$work/syslog.txt" '^<[0-9]+>1 [^ ]+ [^ ]+ ftpgate [0-9]+ transfer - \{.*'"$transfer_line" 10 "$gw"
say "syslog copy (RFC 5424, UDP): $(grep -c . "$work/syslog.txt") datagrams, e.g. $(grep -m1 ' transfer ' "$work/syslog.txt" | cut -c1-80)..."

# --- rotation with the shipped logrotate file: move, SIGHUP, reopen -------------------------------------------------
logrotate -f -s "$work/logrotate.state" /etc/logrotate.d/ftpgate >"$work/logrotate.log" 2>&1 \
    || fail "logrotate: $(cat "$work/logrotate.log")"
[ -f "$audit.1" ] || fail "logrotate did not move $audit"
wait_for "$work/ftpgate.log" 'audit log reopened' 10 "$gw"
download
wait_for "$audit" "$transfer_line" 10 "$gw"
grep -qE "$transfer_line" "$audit.1" || fail "the first transfer is not in the rotated file"
say "logrotate -f /etc/logrotate.d/ftpgate: old events in audit.jsonl.1, new ones in a new audit.jsonl"

# --- clean stop ---------------------------------------------------------------------------------------------------
stop() {
    kill -TERM "$1"
    local rc=0
    wait "$1" || rc=$?
    [ "$rc" -eq 0 ] || fail "ftpgate exited $rc on SIGTERM (expected 0)"
}
stop "$gw"
grep -q '"event":"session-close"' "$audit" || fail "no session-close in the audit log"
say "SIGTERM: ftpgate exited 0"

# --- the journal: a journald of this namespace's own, over a private /run ----------------------------------------
# As under systemd: stderr is a journal stream and JOURNAL_STREAM names it (set here as systemd sets it: the
# stream's device and inode), and the audit events go to the journal (--audit-syslog journal overrides the file).
mount -t tmpfs tmpfs /run
[ -d /var/log/journal ] && mount -t tmpfs tmpfs /var/log/journal
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald >"$work/journald.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.1; done
[ -S /run/systemd/journal/socket ] || fail "systemd-journald did not start: $(cat "$work/journald.log")"
journal() { journalctl --no-pager -q "$@" 2>/dev/null || true; }
"${as_service[@]}" systemd-cat -t ftpgate-app -- \
    sh -c 'JOURNAL_STREAM="$(stat -L -c %d:%i /proc/self/fd/2)"; export JOURNAL_STREAM; exec "$@"' sh \
    /usr/bin/ftpgate run --config "$work/ftpgate.yaml" --audit-syslog journal &
gw=$!
pids+=("$gw")
for ((i = 0; i < 300; i++)); do
    journal -t ftpgate-app | grep -q 'listening on 127\.0\.0\.1:21' && break
    kill -0 "$gw" 2>/dev/null || fail "ftpgate under systemd-cat ended: $(journal -t ftpgate-app | tail -n 5)"
    sleep 0.1
done
download
for ((i = 0; i < 100; i++)); do
    journal -t ftpgate FTPGATE_EVENT=transfer -o cat | grep -qE "$transfer_line" && break
    sleep 0.1
done
journal -t ftpgate FTPGATE_EVENT=transfer -o cat | grep -qE "$transfer_line" \
    || fail "no transfer entry in the journal: $(journal -t ftpgate -o cat | tail -n 3)"
stop "$gw"
app="$(journal -t ftpgate-app -o cat)"
grep -q '^INFO  RunCommand - listening on 127.0.0.1:21$' <<<"$app" \
    || fail "application log lines in the journal are not 'LEVEL Class - message': $(head -n 3 <<<"$app")"
journal -t ftpgate-app -p info -o verbose | grep -q 'PRIORITY=6' || fail "no priority 6 (info) in the journal"
say "journal: audit entries with FTPGATE_EVENT=transfer, application lines without a second timestamp, priority info"
