"""System test, part 2: the NAT checks on the packet captures, and the audit log's checks of the matrix."""
import json
import os
import re

from st_common import A, GW_IN, GW_OUT, SERVERS, UPSTREAMS, read_pcap
from st_world import gw_port


def nat_checks(world, partial=False):
    checks = []
    cli_syn, cli_227, leaks, srv_syn, srv_port, srv_leak = [], [], [], [], [], []
    rev_ports = {gw_port("rev", s, f, u) for s in SERVERS for f in "46" for u in UPSTREAMS}
    inside_servers = (A["srv4"], A["srv6"])
    servers = set(inside_servers)
    for src, dst, sport, dport, flags, payload in read_pcap(world.pcaps["st-cli"]):
        if flags & 0x02 and not flags & 0x10:  # SYN without ACK: a connection being opened
            cli_syn.append((src, dst))
        if payload and 2000 <= sport < 2500:
            text = payload.decode("latin-1")
            cli_227 += re.findall(r"227 [^\r\n]*\((\d+,\d+,\d+,\d+),\d+,\d+\)", text)
            if sport in rev_ports and any(a in text for a in inside_servers):
                leaks.append(text.strip()[:120])
    for src, dst, sport, dport, flags, payload in read_pcap(world.pcaps["st-srv"]):
        if flags & 0x02 and not flags & 0x10:
            srv_syn.append((src, dst))
        if payload and src not in servers:  # a command toward a server
            text = payload.decode("latin-1")
            srv_port += re.findall(r"^(?:PORT|EPRT) ([^\r\n]*)", text, re.M)
            if A["cli4"] in text or A["cli6"] in text:
                srv_leak.append(text.strip()[:120])
    bad = [(s, d) for s, d in cli_syn if not ({s, d} & GW_OUT and {s, d} <= GW_OUT | {A["cli4"], A["cli6"]})]
    checks.append(("client host: every TCP connection is with the gateway's outside address",
                   "%d connections, %d with another peer%s" % (len(cli_syn), len(bad), (" e.g. %s->%s" % bad[0]) if bad else ""),
                   not bad and (partial or len(cli_syn) > 0)))
    bad227 = sorted({a for a in cli_227 if a.replace(",", ".") != A["out4"]})
    checks.append(("client host: every 227 names the gateway's outside address 203.0.113.1",
                   "%d replies of 227, other addresses: %s" % (len(cli_227), bad227 or "none"),
                   not bad227 and (partial or len(cli_227) > 0)))
    checks.append(("client host: no reply of a reverse listener mentions a server's inside address",
                   "%d leaks%s" % (len(leaks), (": " + leaks[0]) if leaks else ""), not leaks))
    bad = [(s, d) for s, d in srv_syn if ({s, d} & servers) and not ({s, d} - servers) <= GW_IN]
    checks.append(("server host: every TCP connection is with the gateway's inside address",
                   "%d connections, %d with another peer%s" % (len(srv_syn), len(bad), (" e.g. %s->%s" % bad[0]) if bad else ""),
                   not bad and (partial or len(srv_syn) > 0)))
    badport = []
    for arg in srv_port:
        if arg.startswith("|"):
            addr = arg.split(arg[0])[2]
        else:
            addr = ".".join(arg.split(",")[:4])
        if addr not in GW_IN:
            badport.append(arg)
    checks.append(("server host: every PORT/EPRT the servers receive names the gateway's inside address",
                   "%d commands, %d others%s" % (len(srv_port), len(badport), (": " + badport[0]) if badport else ""),
                   not badport and (partial or len(srv_port) > 0)))
    checks.append(("server host: no command the servers receive mentions a client address",
                   "%d%s" % (len(srv_leak), (": " + srv_leak[0]) if srv_leak else ""), not srv_leak))
    peers = set()
    for fam in "46":
        # A run limited with --only may not have started every server: a missing log has seen no client.
        for name, pattern in (("pyftpdlib", r"^\S+ \S+ (\S+):\d+-\["), ("vsftpd", r'Client "(?:::ffff:)?([^"]+)"')):
            path = os.path.join(world.logs, "%s%s.log" % (name, fam))
            if not os.path.exists(path):
                continue
            for line in open(path, errors="replace"):
                m = re.search(pattern, line)
                if m:
                    peers.add(m.group(1).strip("[]"))
    checks.append(("server logs (vsftpd, pyftpdlib): every client they saw is the gateway's inside address",
                   "clients seen: %s" % (sorted(peers) or "none"), (partial or bool(peers)) and peers <= GW_IN))
    return checks


def audit_checks(world, since_line, retried=0):
    lines = open(os.path.join(world.logs, "audit.jsonl")).read().splitlines()[since_line:]
    events = [json.loads(l) for l in lines if l.strip()]
    listener = {e["session"]: e.get("listener", "") for e in events if e["event"] == "session-open"}
    refused = {}
    for e in events:
        if e["event"] == "refused":
            refused[e["reason"]] = refused.get(e["reason"], 0) + 1
    transfers = [e for e in events if e["event"] == "transfer"]
    outcomes = {}
    wrong_mode = []
    for e in transfers:
        outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
        mode = listener.get(e["session"], "").rsplit("-", 1)[-1]
        want = {"passive": ("PASV", "EPSV"), "active": ("PORT", "EPRT")}.get(mode)
        if want and e.get("server-mode") not in want:
            wrong_mode.append("%s %s" % (listener.get(e["session"]), e.get("server-mode")))
    # lftp sends AUTH TLS first. A stalled pyftpdlib (see the retry in run_matrix) can leave a client's
    # pinhole unused, so pinhole-expired is expected only when a cell needed a retry.
    expected = {"tls-unsupported"} | ({"pinhole-expired"} if retried else set())
    unexpected = {k: v for k, v in refused.items() if k not in expected}
    return [
        ("audit log: every matrix transfer succeeded (except in cells that needed a retry)",
         "transfers by outcome: %s; cells retried: %d" % (outcomes, retried),
         bool(transfers) and (set(outcomes) == {"ok"} or retried > 0)),
        ("audit log: the server leg used the listener's upstream mode", "%d transfers, %d others%s" % (
            len(transfers), len(wrong_mode), (": " + wrong_mode[0]) if wrong_mode else ""), not wrong_mode),
        ("audit log: no refusal during the matrix except AUTH TLS (lftp), and pinhole-expired in retried cells",
         "refusals: %s" % (refused or "none"),
         not unexpected),
    ]
