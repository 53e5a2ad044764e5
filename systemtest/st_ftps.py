"""System test, the FTPS dimension: client TLS x server TLS x data mode through ftpgate, with curl and lftp
toward the vsftpd that requires FTPS (require_ssl_reuse=YES) and toward the cleartext vsftpd (the bridges).
Each cell is a matrix cell (st_matrix.Cell: uploads, downloads, LIST and REST, sha256 checked on both ends)
with TLS options; the checks read the audit log's tls and transfer records and vsftpd's own TLS log."""
import json
import os
import re

from st_common import UPSTREAMS
from st_ftps_world import SCENARIOS, ftps_port
from st_matrix import Cell, run_cells


# client, mode; "port4" is client active mode (PORT), the others passive.
CLIENT_MODES = [("curl", "epsv4"), ("curl", "port4"), ("lftp", "pasv4"), ("lftp", "port4")]


# Client-mode cells not run (not failures), with the reason the summary prints.
NOT_RUN = {("curl", "port4"): "curl 7.88 cannot do active-mode FTPS (it never starts TLS on the data connection it "
                              "accepts, with any server: CurlFtpsIT); it runs where the client side is clear (back)"}


class FtpsCell(Cell):
    def __init__(self, world, fw, scenario, client, mode, upstream, path="relay"):
        self.prefix = "ftps-%s-" % scenario
        self.scenario = scenario
        Cell.__init__(self, world, client, mode, "vsftpd", "rev", upstream, path=path)
        self.expect_path = "relay"  # PROT P on a side keeps every transfer on the relay (st_kernel)
        self.port = ftps_port(scenario, upstream)
        client_tls = SCENARIOS[scenario][0]
        if client_tls == "off":
            self.lftp_tls = ["set ftp:ssl-allow no"]
            return
        # TLS 1.2 toward ftpgate (TLS 1.3 toward vsftpd): under TLS 1.3 curl 7.88 offers the ticket of the
        # previous upload's data connection, not the control connection's, so its second upload over one
        # connection is refused (vsftpd alone does the same: "522 session reuse required"), and lftp closes an
        # upload's data connection without reading the ticket the gateway (JDK) sends after the handshake: when
        # it arrives after the close, lftp's kernel resets the connection and drops the upload's tail (426).
        self.curl_tls = ["--cacert", fw.ca, "--tls-max", "1.2"] + (["--ssl-reqd"] if client_tls == "required" else [])
        self.lftp_tls = ["set ftp:ssl-force true", "set ftp:ssl-protect-data true", "set ssl:ca-file " + fw.ca,
                         "set ssl:verify-certificate yes", 'set ssl:priority "NORMAL:-VERS-TLS1.3"']
        if client_tls == "implicit":
            self.scheme = "ftps"


def ftps_cells(world, fw, only=None):
    cells = [FtpsCell(world, fw, s, c, m, u) for s in SCENARIOS for c, m in CLIENT_MODES for u in UPSTREAMS
             if (c, m) not in NOT_RUN or SCENARIOS[s][0] == "off"]
    return [c for c in cells if not only or re.search(only, c.id)]


def run_ftps(world, fw, jobs, only=None):
    cells = ftps_cells(world, fw, only)
    return cells, run_cells(cells, jobs, "ftps")


def ftps_table(results):
    cols = [(s, u) for s in SCENARIOS for u in UPSTREAMS]
    head1 = "%-16s" % "client / mode" + "".join("%-10s" % (s if u == "passive" else "") for s, u in cols)
    head2 = "%-16s" % "" + "".join("%-10s" % ("up-" + u[:3]) for s, u in cols)
    lines = [head1.rstrip(), head2.rstrip(), "-" * len(head2)]
    for c, m in CLIENT_MODES:
        row = "%-16s" % ("%s %s" % (c, m))
        for s, u in cols:
            r = results.get("ftps-%s-%s-%s-vsftpd-rev-%s" % (s, c, m, u))
            row += "%-10s" % (r["status"] if r else "-")
        lines.append(row.rstrip())
    legend = "; ".join("%s: client-tls %s, server-tls %s, to %s" % (s, c, v, srv) for s, (c, v, srv) in SCENARIOS.items())
    return "\n".join(lines) + "\n\n" + legend + "\n- (not run): " + "; ".join(
        "%s %s: %s" % (c, m, why) for (c, m), why in NOT_RUN.items())


def ftps_checks(world, fw, since_line, retried=0, vsftpd_mark=0):
    lines = open(os.path.join(world.logs, "audit.jsonl")).read().splitlines()[since_line:]
    events = [json.loads(l) for l in lines if l.strip()]
    listener = {e["session"]: e.get("listener", "") for e in events if e["event"] == "session-open"}
    ftps = {s for s, name in listener.items() if re.match(r"ftps-(%s)-" % "|".join(SCENARIOS), name)}
    tls = {}
    for e in events:
        if e["event"] == "tls" and e["session"] in ftps:
            tls.setdefault(e["session"], {})[e["side"]] = e
    wrong, versions = [], {}
    for s in ftps:
        scenario = listener[s].split("-")[1]
        client, server, _ = SCENARIOS[scenario]
        got = tls.get(s, {})
        for side, mode in (("client", client), ("server", server)):
            e = got.get(side)
            if (mode != "off") != (e is not None) or (e and not (e.get("protocol") and e.get("cipher"))):
                wrong.append("%s %s side: %s" % (listener[s], side, e or "no tls record"))
            elif e:
                key = "%s %s %s" % (side, e["protocol"], e["cipher"])
                versions[key] = versions.get(key, 0) + 1
    transfers = [e for e in events if e["event"] == "transfer" and e["session"] in ftps]
    outcomes = {}
    for e in transfers:
        outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
    refused = {}
    for e in events:
        if e["event"] == "refused" and e["session"] in ftps:
            refused[e["reason"]] = refused.get(e["reason"], 0) + 1
    allowed = {"pinhole-expired"} if retried else set()
    server_tls = sum(1 for e in transfers if e["outcome"] == "ok"
                     and SCENARIOS[listener[e["session"]].split("-")[1]][1] != "off")
    handshakes = vsftpd_handshakes(fw.vsftpd_log, vsftpd_mark)
    data = [h for hs in handshakes.values() for h in hs[1:]]
    not_reused = [h for h in data if ", reused," not in h]
    fresh_control = [hs[0] for hs in handshakes.values() if ", reused," in hs[0]]
    return [
        ("audit log: a tls record per TLS side of every FTPS session, with protocol and cipher; none on a clear side",
         "%d sessions; %s; %d wrong%s" % (len(ftps), ", ".join("%s: %d" % kv for kv in sorted(versions.items())),
                                          len(wrong), (": " + wrong[0]) if wrong else ""),
         bool(ftps) and not wrong),
        ("audit log: every FTPS transfer succeeded (except in cells that needed a retry)",
         "transfers by outcome: %s; cells retried: %d" % (outcomes, retried),
         bool(transfers) and (set(outcomes) == {"ok"} or retried > 0)),
        ("audit log: no refusal in the FTPS cells (require-prot-p and require-data-session-reuse on: every client data"
         " connection resumed the control connection's TLS session)", "refusals: %s" % (refused or "none"),
         not set(refused) - allowed),
        ("vsftpd (require_ssl_reuse=YES, debug_ssl): every data connection from ftpgate resumed its control "
         "connection's session", "%d sessions, %d data connections, %d not reused%s; control connections with a "
         "full handshake: %d of %d; successful transfers on server-TLS listeners: %d" % (
             len(handshakes), len(data), len(not_reused), (": " + not_reused[0][-90:]) if not_reused else "",
             len(handshakes) - len(fresh_control), len(handshakes), server_tls),
         bool(data) and not not_reused and not fresh_control and len(data) >= server_tls),
    ]


def vsftpd_handshakes(path, mark):
    """vsftpd's debug_ssl lines ('SSL version: TLSv1.3, SSL cipher: ..., reused, no cert') by session process,
    in order: the control connection's first, then one per data connection."""
    out = {}
    try:
        lines = open(path, errors="replace").read().splitlines()[mark:]
    except OSError:
        return out
    for line in lines:
        m = re.search(r"\[pid (\d+)\].*SSL version: ", line)
        if m:
            out.setdefault(m.group(1), []).append(line)
    return out


def line_count(path):
    try:
        return len(open(path, errors="replace").read().splitlines())
    except OSError:
        return 0
