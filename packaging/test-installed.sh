#!/usr/bin/env bash
# Builds the Debian package, installs it with dpkg -i, checks what it installed, and moves one file through the
# installed /usr/bin/ftpgate; purges the package at the end, so the machine is left as it was.
#
#   packaging/test-installed.sh            # as root (or with sudo); .ci/run calls it after `mvn -B verify`
#   FTPGATE_DEB=path.deb packaging/test-installed.sh   # test a package built already
#
# The transfer runs in network and mount namespaces of its own (loopback only, so every port is free and
# nothing leaves the machine; a private /run for a journald of its own): vsftpd serves a random file, ftpgate
# runs as the package's 'ftpgate' user with only CAP_NET_BIND_SERVICE and the system-call filter the unit sets,
# on port 21, curl downloads the file through it, and the sha256, the audit log, the syslog copy of the audit
# events, a rotation by the shipped logrotate file (SIGHUP), a clean SIGTERM stop, and the journal (audit
# entries, application log lines) are checked. Needs root; installs what it lacks with apt-get.
set -euo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "test-installed: $*" >&2; }
fail() {
    say "FAIL: $*"
    exit 1
}
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

# --- tools --------------------------------------------------------------------------------------------------
need=()
command -v asciidoctor >/dev/null 2>&1 || need+=(asciidoctor)        # man pages (the deb profile)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)         # unit checks (no running systemd needed)
[ -x /usr/sbin/vsftpd ] || need+=(vsftpd)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v logrotate >/dev/null 2>&1 || need+=(logrotate)
command -v unshare >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v python3 >/dev/null 2>&1 || need+=(python3)
/usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 || need+=(python3-seccomp)   # the unit's system-call filter
if [ "${#need[@]}" -gt 0 ]; then
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# --- build --------------------------------------------------------------------------------------------------
deb="${FTPGATE_DEB:-}"
if [ -z "$deb" ]; then
    rm -f target/ftpgate_*_all.deb
    say "building the package: mvn -B -q -Pdeb -DskipTests package"
    mvn -B -q -Pdeb -DskipTests package 2>&1 | sed 's/\x1b\[0m//g' >&2
    deb="$(ls target/ftpgate_*_all.deb)"
fi
[ -f "$deb" ] || fail "no package at $deb"
say "package: $deb ($(du -h "$deb" | cut -f1))"

# --- install ------------------------------------------------------------------------------------------------
dpkg-query -W -f='${Status}' ftpgate 2>/dev/null | grep -q 'install ok installed' \
    && fail "ftpgate is installed already; this test installs and purges its own build (dpkg --purge ftpgate first)"
user_existed=no
getent passwd ftpgate >/dev/null && user_existed=yes
work="$(mktemp -d /tmp/ftpgate-installed.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
    local rc=$?
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    dpkg --purge ftpgate >/dev/null 2>&1 || true
    if [ "$user_existed" = no ] && getent passwd ftpgate >/dev/null; then
        deluser --quiet --system ftpgate >/dev/null 2>&1 || userdel ftpgate 2>/dev/null || true
        getent group ftpgate >/dev/null && { delgroup --quiet --system ftpgate >/dev/null 2>&1 || groupdel ftpgate 2>/dev/null || true; }
    fi
    if [ "$rc" -ne 0 ]; then
        for f in "$work"/*.log; do [ -f "$f" ] && { say "--- $f"; tail -n 40 "$f" >&2; }; done
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

say "dpkg -i $deb"
if ! dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
    say "installing the package's dependencies"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q --no-install-recommends >>"$work/dpkg.log" 2>&1
fi
dpkg-query -W -f='${Status}' ftpgate | grep -q 'install ok installed' || fail "the package did not install"

# --- what it installed --------------------------------------------------------------------------------------
for f in /usr/bin/ftpgate /usr/share/ftpgate/ftpgate.jar /etc/ftpgate/ftpgate.yaml /etc/default/ftpgate \
         /etc/logrotate.d/ftpgate /usr/lib/systemd/system/ftpgate.service /usr/share/man/man8/ftpgate.8.gz; do
    [ -f "$f" ] || fail "missing $f"
done
conffiles="$(dpkg-query -W -f='${Conffiles}' ftpgate)"
for f in /etc/ftpgate/ftpgate.yaml /etc/default/ftpgate /etc/logrotate.d/ftpgate; do
    grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile"
done
getent passwd ftpgate >/dev/null || fail "no system user ftpgate"
[ "$(stat -c %U /var/log/ftpgate)" = ftpgate ] || fail "/var/log/ftpgate is not owned by ftpgate"
zcat /usr/share/man/man8/ftpgate.8.gz | grep -q '^\.TH "FTPGATE" "8"' || fail "ftpgate.8.gz is not a section 8 man page"
version="$(/usr/bin/ftpgate --version | head -n1)"
say "installed: $version"
if /usr/bin/ftpgate demo >"$work/demo.out" 2>&1; then
    fail "ftpgate demo started from the package (the embedded FTP server should not be in its jar)"
fi
grep -q 'the demo runs from a source checkout' "$work/demo.out" || fail "ftpgate demo: $(cat "$work/demo.out")"
[ "$(wc -l <"$work/demo.out")" -eq 1 ] || fail "ftpgate demo printed more than one line: $(cat "$work/demo.out")"

# --- the unit -----------------------------------------------------------------------------------------------
# verify exits 0 even on unknown keys; any line naming the unit is a finding. Lines about other units (a
# container's missing dependencies) are not ftpgate's.
unit=/usr/lib/systemd/system/ftpgate.service
verify="$(systemd-analyze verify "$unit" 2>&1 || echo "systemd-analyze verify failed: exit $?")"
if grep -E 'ftpgate|failed' <<<"$verify"; then
    fail "systemd-analyze verify $unit (above)"
fi
say "systemd-analyze verify $unit: no findings"
# Exposure score of the sandbox (0 = locked down, 10 = none): the unit must stay below 3 ("OK").
systemd-analyze security --offline=true --threshold=30 "$unit" >"$work/security.log" 2>&1 \
    || fail "systemd-analyze security: exposure above 3.0: $(tail -n1 "$work/security.log")"
say "systemd-analyze security: $(grep -o 'Overall exposure level.*' "$work/security.log")"

# --- the shipped configuration ------------------------------------------------------------------------------
/usr/bin/ftpgate check-config /etc/ftpgate/ftpgate.yaml >"$work/check.out" || fail "check-config: $(cat "$work/check.out")"
say "ftpgate check-config /etc/ftpgate/ftpgate.yaml: $(head -n1 "$work/check.out")"

# --- one transfer through the installed binary, in namespaces of its own ----------------------------------------
say "transfer: vsftpd <- ftpgate (user ftpgate, CAP_NET_BIND_SERVICE only, port 21) <- curl"
export WORK="$work"
unshare --net --mount --propagation private "$root/packaging/transfer-in-netns.sh"
say "OK"
