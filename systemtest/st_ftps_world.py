"""System test, the FTPS part of the world: a CA and two certificates made with openssl (the gateway's, for its
outside and inside addresses, and vsftpd's), a second vsftpd that requires TLS for logins and data with session
reuse, and the gateway's FTPS listeners (for st_ftps and st_ftps_attacks)."""
import os

from st_common import A, FWD_INSIDE_PORT, PUBLIC_PORT, UPSTREAMS, hostport, listening, sh, wait_for
from st_world import VSFTPD_CONF


VSFTPD_TLS_PORT = 2021      # the vsftpd that requires FTPS (the cleartext one keeps port 21)


FTPS_PUBLIC_PORT = 2541     # FTPS listeners in front of the public server: +0 upstream passive, +1 active


FWD_INSIDE_TLS_PORT = FWD_INSIDE_PORT + 2   # the inside forward listener with client-tls required (2123)


# The FTPS dimension's listeners: client-tls, server-tls, the server; each with upstream passive and active.
SCENARIOS = {
    "e2e": ("required", "required", "vsftpd-tls"),      # FTPS end to end
    "implicit": ("implicit", "required", "vsftpd-tls"),  # implicit FTPS client, explicit FTPS server
    "front": ("required", "off", "vsftpd"),             # FTPS client in front of the cleartext vsftpd (bridge)
    "back": ("off", "required", "vsftpd-tls"),           # cleartext client to the FTPS vsftpd (bridge)
}


VSFTPD_TLS = """ssl_enable=YES
require_ssl_reuse=YES
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=NO
ssl_ciphers=HIGH
rsa_cert_file=%(cert)s
rsa_private_key_file=%(key)s
debug_ssl=YES
"""


def ftps_port(scenario, mode):
    return 2500 + 10 * list(SCENARIOS).index(scenario) + UPSTREAMS.index(mode) + 1


class FtpsWorld:
    """Certificates, the FTPS vsftpd and the FTPS listeners, added to a World before its gateway starts."""

    def __init__(self, world):
        self.w = world
        self.dir = os.path.join(world.work, "tls")
        self.ca = os.path.join(self.dir, "ca.pem")
        self.vsftpd_log = os.path.join(world.logs, "vsftpd-tls.log")

    def setup(self):
        self.make_certs()
        self.start_vsftpd()
        self.add_listeners()

    def make_certs(self):
        """A CA, and certificates it signs for the gateway (both its addresses) and for vsftpd (its address):
        clients check the gateway against the CA, the gateway checks vsftpd against it (server-ca)."""
        d = self.dir
        os.makedirs(d, exist_ok=True)

        def openssl(*argv):
            sh(["openssl"] + list(argv), check=True)
        ca_key = os.path.join(d, "ca.key")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", self.ca, "-days", "2",
                "-subj", "/CN=ftpgate system test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        for name, addrs in (("gateway", (A["out4"], A["in4"])), ("vsftpd", (A["srv4"],))):
            ext = os.path.join(d, name + ".ext")
            with open(ext, "w") as f:
                f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                        "extendedKeyUsage=serverAuth\n" % ",".join("IP:" + a for a in addrs))
            base = os.path.join(d, name)
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", base + ".key", "-out", base + ".csr",
                    "-subj", "/CN=%s.st.example" % name)
            openssl("x509", "-req", "-in", base + ".csr", "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-days", "2", "-out", base + ".pem", "-extfile", ext)

    def start_vsftpd(self):
        w = self.w
        conf = os.path.join(w.work, "vsftpd-tls.conf")
        plain = VSFTPD_CONF % dict(listen="listen=YES\nlisten_ipv6=NO\nlisten_address=%s" % A["srv4"],
                                   root=os.path.join(w.work, "vsroot"), empty=os.path.join(w.work, "empty"),
                                   log=self.vsftpd_log)
        with open(conf, "w") as f:
            f.write(plain.replace("listen_port=21\n", "listen_port=%d\n" % VSFTPD_TLS_PORT)
                    + VSFTPD_TLS % dict(cert=os.path.join(self.dir, "vsftpd.pem"),
                                        key=os.path.join(self.dir, "vsftpd.key")))
        w.procs.start("vsftpd-tls", "st-srv", ["/usr/sbin/vsftpd", conf], os.path.join(w.logs, "vsftpd-tls.out"))
        wait_for(lambda: listening("st-srv", A["srv4"], VSFTPD_TLS_PORT), 20, "the FTPS vsftpd")

    def tls(self, client, server):
        t = {}
        if client != "off":
            t.update({"client-tls": client, "tls-certificate": os.path.join(self.dir, "gateway.pem"),
                      "tls-key": os.path.join(self.dir, "gateway.key"), "require-prot-p": "true"})
        if server != "off":
            t.update({"server-tls": server, "server-ca": self.ca})
        return t

    def add_listeners(self):
        """IPv4 only; one listener per scenario and upstream mode, plus those of the attacks over TLS."""
        out = self.w.extra_listeners
        for scenario, (client, server, upstream) in SCENARIOS.items():
            port = VSFTPD_TLS_PORT if upstream == "vsftpd-tls" else 21
            for mode in UPSTREAMS:
                out.append(dict(name="ftps-%s-%s" % (scenario, mode), listen=hostport(A["out4"], ftps_port(scenario, mode)),
                                mode=mode, upstream=hostport(A["srv4"], port), public=A["out4"],
                                tls=self.tls(client, server)))
        for mode in UPSTREAMS:
            out.append(dict(name="ftps-public-%s" % mode, mode=mode,
                            listen=hostport(A["out4"], FTPS_PUBLIC_PORT + UPSTREAMS.index(mode)),
                            upstream=hostport(A["srv4"], PUBLIC_PORT), public=A["out4"], tls=self.tls("required", "off")))
        out.append(dict(name="fwd-inside-tls-passive", mode="passive", listen=hostport(A["in4"], FWD_INSIDE_TLS_PORT),
                        clients=["198.51.100.0/24"], dests=["203.0.113.0/24"], anon_write=False,
                        tls=self.tls("required", "off")))
