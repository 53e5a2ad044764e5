# peers.sh — sourced by bench/small-files-peers.sh and bench/kernel-lib.sh: starts the user-space peers of
# the benchmark world in namespace fgw as compare.sh starts them (SUSE ftp-proxy :2122, ProFTPD mod_proxy
# :2123, Squid :2124) and stops them by their pid files. Not a command of its own.
start_peers() { # WORLD_DIR
  ip netns exec fgw /usr/sbin/ftp-proxy -d -f "$1/suse-ftp-proxy.conf"
  mkdir -p /tmp/fgbench-proftpd/proxy; chmod 711 /tmp/fgbench-proftpd
  (cd /tmp && ip netns exec fgw setsid /opt/fgbench/proftpd/usr/sbin/proftpd -n -c "$1/proftpd-mod-proxy.conf" \
      >/tmp/fgbench-proftpd/stdout.log 2>&1 &)
  mkdir -p /tmp/fgbench-squid; chown proxy:proxy /tmp/fgbench-squid
  (ip netns exec fgw setsid squid -N -f "$1/squid.conf" >/tmp/fgbench-squid/stdout.log 2>&1 &)
}
stop_peers() {
  kill "$(cat /tmp/fgbench-suse.pid 2>/dev/null)" 2>/dev/null || true
  kill "$(cat /tmp/fgbench-proftpd/proftpd.pid 2>/dev/null)" 2>/dev/null || true
  kill "$(cat /tmp/fgbench-squid/squid.pid 2>/dev/null)" 2>/dev/null || true
}
