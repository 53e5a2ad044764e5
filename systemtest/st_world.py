"""System test: the world (namespaces from world.sh, the servers, the victim's recorders, one ftpgate process
with every listener of the test) and where each listener listens."""
import os
import signal
import subprocess
import time

from st_common import (
    A,
    FWD_INSIDE_PORT,
    HELPERS,
    HERE,
    PUBLIC_PORT,
    PY,
    Procs,
    SERVERS,
    STALL_CONTROL_PORT,
    UPSTREAMS,
    commons_net_classpath,
    hostport,
    listening,
    nsrun,
    sh,
    sha256,
    wait_for,
)


class World:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.logs = os.path.join(self.work, "logs")
        self.procs = Procs()
        self.jar = args.jar
        self.mina_ports = {}
        self.captures = []
        self.loose_orig = None
        self.extra_listeners = []  # keyword arguments of start_gateway's listener(), added by st_ftps_world

    # -- setup
    def up(self):
        sh([os.path.join(HERE, "world.sh"), "up"], check=True)

    def down(self):
        for p in self.captures:
            self.procs.stop(p, signal.SIGINT)
        self.procs.stop_all()
        self.restore_loose()
        sh([os.path.join(HERE, "world.sh"), "down"])

    def restore_loose(self):
        if self.loose_orig is not None:
            with open(LOOSE, "w") as f:
                f.write(self.loose_orig)
            self.loose_orig = None

    def compile_helpers(self):
        cls = os.path.join(self.work, "classes")
        os.makedirs(cls, exist_ok=True)
        sh(["javac", "-d", cls, "-cp", self.jar, os.path.join(HELPERS, "StMina.java")], check=True, timeout=120)
        self.client_cp = commons_net_classpath()
        sh(["javac", "-d", cls, "-cp", self.client_cp, os.path.join(HELPERS, "StFtpClient.java")], check=True,
           timeout=120)
        self.client_cp = cls + ":" + self.client_cp
        self.classes = cls

    def make_files(self):
        d = os.path.join(self.work, "data")
        os.makedirs(os.path.join(d, "small"), exist_ok=True)
        self.big = os.path.join(d, "big.bin")
        self.big_size = self.args.big_mib * 1024 * 1024
        with open(self.big, "wb") as f:
            left = self.big_size
            while left:
                n = min(left, 1 << 20)
                f.write(os.urandom(n))
                left -= n
        self.big_sha = sha256(self.big)
        self.partial = self.big_size * 2 // 5
        self.small_dir = os.path.join(d, "small")
        self.small = {}
        for i in range(self.args.small_files):
            name = "f%02d.bin" % i
            size = 0 if i == 0 else (i * 7919) % 65536 + (1 if i % 3 else 100000)
            path = os.path.join(self.small_dir, name)
            with open(path, "wb") as f:
                f.write(os.urandom(size))
            self.small[name] = sha256(path)

    def start_servers(self):
        w = self.work
        for sub in ("empty", "vsroot", "vsroot/pub", "py", "mina", "mina/upload", "pub4", "pub6", "cells"):
            os.makedirs(os.path.join(w, sub), exist_ok=True)
        os.chmod(w, 0o755)
        for sub in ("empty", "vsroot"):
            os.chmod(os.path.join(w, sub), 0o755)
        os.chmod(os.path.join(w, "vsroot/pub"), 0o777)
        for fam, listen in (("4", "listen=YES\nlisten_ipv6=NO\nlisten_address=%s" % A["srv4"]),
                            ("6", "listen=NO\nlisten_ipv6=YES\nlisten_address6=%s" % A["srv6"])):
            conf = os.path.join(w, "vsftpd%s.conf" % fam)
            with open(conf, "w") as f:
                f.write(VSFTPD_CONF % dict(listen=listen, root=os.path.join(w, "vsroot"),
                                           empty=os.path.join(w, "empty"),
                                           log=os.path.join(self.logs, "vsftpd%s.log" % fam)))
            self.procs.start("vsftpd" + fam, "st-srv", ["/usr/sbin/vsftpd", conf],
                             os.path.join(self.logs, "vsftpd%s.out" % fam))
        for fam in ("4", "6"):
            addr = A["srv" + fam]
            self.procs.start("pyftpdlib" + fam, "st-srv",
                             [PY, os.path.join(HELPERS, "pyftpd.py"), addr, "2121", os.path.join(w, "py"), "st", "st",
                              os.path.join(self.logs, "pyftpdlib%s.log" % fam)],
                             os.path.join(self.logs, "pyftpdlib%s.out" % fam))
            # The "public" promiscuous server of the attack scenarios: anonymous upload, slow data link.
            pub = os.path.join(w, "pub" + fam)
            with open(os.path.join(pub, "welcome.txt"), "w") as f:
                f.write("Welcome to the public FTP server of the system test.\n")
            self.procs.start("public" + fam, "st-srv",
                             [PY, os.path.join(HELPERS, "pyftpd.py"), addr, str(PUBLIC_PORT), pub, "anonymous", "-",
                              os.path.join(self.logs, "public%s.log" % fam), "16"],
                             os.path.join(self.logs, "public%s.out" % fam))
            out = os.path.join(self.logs, "mina%s.out" % fam)
            self.procs.start("mina" + fam, "st-srv",
                             ["java", "-Xmx512m", "-cp", self.jar + ":" + self.classes, "StMina",
                              os.path.join(w, "mina"), addr], out)
        open(os.path.join(self.logs, "victim.jsonl"), "a").close()
        self.procs.start("victim", "st-vic",
                         [PY, os.path.join(HELPERS, "recorder.py"), os.path.join(self.logs, "victim.jsonl")]
                         + [hostport(A["vic" + f], p) for f in "46" for p in (8080, 23)],
                         os.path.join(self.logs, "victim.out"))
        for fam in ("4", "6"):
            out = os.path.join(self.logs, "mina%s.out" % fam)

            def port_printed(out=out):
                try:
                    first = open(out).readline().strip()
                except OSError:
                    return False
                return first.isdigit()
            wait_for(port_printed, 30, "the MINA upstream on IPv" + fam)
            self.mina_ports[fam] = int(open(out).readline().strip())
        for fam in "46":
            for port in (21, 2121, PUBLIC_PORT, self.mina_ports[fam]):
                wait_for(lambda: listening("st-srv", A["srv" + fam], port), 20,
                         "a server on " + hostport(A["srv" + fam], port))
            for port in (8080, 23):
                wait_for(lambda: listening("st-vic", A["vic" + fam], port), 20, "the victim's recorder")

    def server_port(self, server, fam):
        return {"vsftpd": 21, "pyftpdlib": 2121, "mina": self.mina_ports.get(fam, 0)}[server]

    def start_gateway(self, data_path="relay"):
        """Starts ftpgate with every listener of the test. data_path kernel (st_kernel) puts data-path: kernel on
        every listener; the namespace must forward then, and st_kernel.forwarding lets it forward only what the
        kernel path translated."""
        lines = ["audit-log: %s" % os.path.join(self.logs, "audit.jsonl"), "timeouts:", "  pinhole: 15s",
                 "listeners:"]

        def listener(name, listen, mode, upstream=None, public=None, clients=None, dests=None, anon_write=True,
                     early=True, tls=None):
            lines.append("  - name: %s" % name)
            lines.append('    listen: "%s"' % listen)
            if not early:
                lines.append("    early-server-leg: false")
            if anon_write:
                # vsftpd's account is anonymous, and the attack scenarios need an anonymous upload (the CERT
                # tip's public server): the gateway's own anonymous-write policy (default false) must not hide
                # what the matrix and the bounce defence are testing.
                lines.append("    anonymous-write: true")
            if upstream:
                lines.append('    upstream: "%s"' % upstream)
            if public:
                lines.append("    public-address: %s" % public)
            lines.append("    upstream-mode: %s" % mode)
            if data_path != "relay":
                lines.append("    data-path: %s" % data_path)
            if clients:
                lines.append("    allow-client: [%s]" % ", ".join('"%s"' % c for c in clients))
            if dests:
                lines.append("    allow-destination: [%s]" % ", ".join('"%s"' % c for c in dests))
            lines.extend("    %s: %s" % kv for kv in (tls or {}).items())

        for fam in "46":
            public = A["out4"] if fam == "4" else None
            for mode in UPSTREAMS:
                for server in SERVERS:
                    listener("rev-%s-%s-%s" % (server, fam, mode), hostport(A["out" + fam], gw_port("rev", server, fam, mode)),
                             mode, upstream=hostport(A["srv" + fam], self.server_port(server, fam)), public=public)
                listener("fwd-%s-%s" % (fam, mode), hostport(A["out" + fam], gw_port("fwd", None, fam, mode)), mode,
                         public=public, clients=["203.0.113.0/24", "2001:db8:1::/64"],
                         dests=["198.51.100.0/24", "2001:db8:2::/64"])
                listener("rev-public-%s-%s" % (fam, mode), hostport(A["out" + fam], gw_port("public", None, fam, mode)),
                         mode, upstream=hostport(A["srv" + fam], PUBLIC_PORT), public=public)
        listener("rev-vsftpd-4-passive-late", hostport(A["out4"], STALL_CONTROL_PORT), "passive",
                 upstream=hostport(A["srv4"], 21), public=A["out4"], early=False)  # the curl stall check's control
        for mode in UPSTREAMS:
            listener("fwd-inside-%s" % mode, hostport(A["in4"], FWD_INSIDE_PORT + UPSTREAMS.index(mode)), mode,
                     clients=["198.51.100.0/24"], dests=["203.0.113.0/24"], anon_write=False)
        for spec in self.extra_listeners:
            listener(**spec)
        suffix = "" if data_path == "relay" else "-" + data_path
        conf = os.path.join(self.work, "ftpgate%s.yaml" % suffix)
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        sh(["java", "-jar", self.jar, "check-config", conf], check=True)
        self.gw_log = os.path.join(self.logs, "ftpgate%s.log" % suffix)
        self.gateway = self.procs.start("ftpgate", "st-gw", ["java", "-Xmx1g", "-jar", self.jar, "run", "--config", conf],
                                        self.gw_log)
        wait_for(lambda: "running" in open(self.gw_log, errors="replace").read() or self.gateway.poll() is not None,
                 60, "ftpgate to start")
        if self.gateway.poll() is not None:
            raise RuntimeError("ftpgate exited: " + open(self.gw_log, errors="replace").read()[-3000:])
        _, fwd = nsrun("st-gw", ["sysctl", "-n", "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"])
        if data_path == "relay" and fwd.split() != ["0", "0"]:
            raise RuntimeError("the gateway namespace forwards packets: " + fwd)

    def stop_gateway(self):
        """Stops ftpgate with SIGTERM, its clean exit (which removes a kernel path's table): up to 30 s before
        SIGKILL, not Procs.stop's 5 s. Returns its exit code."""
        if self.gateway.poll() is None:
            os.killpg(self.gateway.pid, signal.SIGTERM)
            try:
                self.gateway.wait(30)
            except subprocess.TimeoutExpired:
                self.procs.stop(self.gateway, signal.SIGKILL)
        return self.gateway.returncode

    def start_captures(self, tag=""):
        syn = "tcp[tcpflags] & tcp-syn != 0 or (ip6 and ip6[6] == 6 and ip6[53] & 2 != 0)"
        cli = "tcp portrange 2000-2499 or " + syn
        ports = sorted({21, 2121} | set(self.mina_ports.values()))
        srv = " or ".join("tcp port %d" % p for p in ports) + " or " + syn
        self.pcaps = {}
        for ns, flt in (("st-cli", cli), ("st-srv", srv)):
            path = os.path.join(self.logs, "%s%s.pcap" % (ns, tag))
            self.pcaps[ns] = path
            p = self.procs.start("tcpdump-" + ns, ns, ["tcpdump", "-i", "eth0", "-n", "-U", "-s", "0", "-w", path, flt],
                                 os.path.join(self.logs, "tcpdump-%s%s.out" % (ns, tag)))
            self.captures.append(p)
        if os.environ.get("ST_CAPTURE_DATA") == "1":
            # Diagnosis: every TCP header on the server host (data legs included), 96 bytes per packet.
            p = self.procs.start("tcpdump-st-srv-all", "st-srv",
                                 ["tcpdump", "-i", "eth0", "-n", "-U", "-s", "96", "-w",
                                  os.path.join(self.logs, "st-srv-all.pcap"), "tcp"],
                                 os.path.join(self.logs, "tcpdump-st-srv-all.out"))
            self.captures.append(p)
        for ns in ("st-cli", "st-srv"):
            wait_for(lambda ns=ns: "listening on" in open(os.path.join(self.logs, "tcpdump-%s%s.out" % (ns, tag))).read(), 20,
                     "tcpdump in " + ns)

    def stop_captures(self):
        time.sleep(0.5)
        for p in self.captures:
            self.procs.stop(p, signal.SIGINT)
        self.captures = []


LOOSE = "/sys/module/nf_conntrack_ftp/parameters/loose"


VSFTPD_CONF = """%(listen)s
listen_port=21
anonymous_enable=YES
local_enable=NO
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_world_readable_only=NO
anon_umask=022
anon_root=%(root)s
no_anon_password=YES
port_promiscuous=NO
pasv_promiscuous=NO
background=NO
run_as_launching_user=YES
seccomp_sandbox=NO
connect_from_port_20=NO
secure_chroot_dir=%(empty)s
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=%(log)s
max_clients=0
max_per_ip=0
"""


def gw_port(kind, server, fam, mode):
    m = UPSTREAMS.index(mode) + 1
    f = 10 if fam == "6" else 0
    if kind == "fwd":
        return 2000 + f + m
    if kind == "public":
        return 2400 + f + m
    return 2000 + (SERVERS.index(server) + 1) * 100 + f + m
