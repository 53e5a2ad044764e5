"""Raw FTP dialogs for KernelDataPathIT, run in kd-cli: kd_dialog.py SCENARIO HOST PORT FILE [ARG].
Prints one line per step: each reply's final line ("reply: 229 ..."), each data connection attempt
("connect FROM: connected|refused|reset|timeout"), and what a download received ("data: BYTES SHA256").

impostors SECOND   EPSV; connect from SECOND (refused: another address); connect; RETR FILE; connect again
                   (refused: the pinhole is used).
expire SECONDS     EPSV; wait SECONDS; connect (refused: expired); RETR FILE (425).
abort              EPSV; connect; RETR FILE; read 256 KiB slowly; ABOR; print the replies until the final one."""
import hashlib
import re
import socket
import sys
import time

scenario, host, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
arg = sys.argv[5] if len(sys.argv) > 5 else None
ctl = socket.create_connection((host, port), timeout=10)
f = ctl.makefile("rb")


def reply():
    """The final line of the next reply (multi-line replies are skipped to their end)."""
    while True:
        line = f.readline()
        if not line:
            print("reply: EOF", flush=True)
            return "EOF"
        text = line.decode("latin-1").rstrip("\r\n")
        if len(text) >= 4 and text[:3].isdigit() and text[3] == " ":
            print("reply: " + text, flush=True)
            return text


def send(cmd):
    ctl.sendall((cmd + "\r\n").encode("latin-1"))
    return reply()


def connect(data_port, source=None):
    """A data connection attempt to the gateway's pinhole; the socket, or None."""
    try:
        s = socket.create_connection((host, data_port), timeout=3,
                                     source_address=(source, 0) if source else None)
        print("connect %s: connected" % (source or "first"), flush=True)
        return s
    except ConnectionRefusedError:
        print("connect %s: refused" % (source or "first"), flush=True)
    except ConnectionResetError:
        print("connect %s: reset" % (source or "first"), flush=True)
    except socket.timeout:
        print("connect %s: timeout" % (source or "first"), flush=True)
    return None


def download(data):
    digest, n = hashlib.sha256(), 0
    while True:
        chunk = data.recv(65536)
        if not chunk:
            break
        digest.update(chunk)
        n += len(chunk)
    data.close()
    print("data: %d %s" % (n, digest.hexdigest()), flush=True)


reply()
send("USER anonymous")
send("PASS kd@")
send("TYPE I")
epsv = send("EPSV")
data_port = int(re.search(r"\(\|\|\|(\d+)\|\)", epsv).group(1))
if scenario == "impostors":
    connect(data_port, arg)
    data = connect(data_port)
    if send("RETR " + path).startswith("150") and data:
        download(data)
        reply()
    again = connect(data_port)
    if again:
        again.close()
elif scenario == "expire":
    time.sleep(float(arg))
    late = connect(data_port)
    if late:
        late.close()
    send("RETR " + path)
elif scenario == "abort":
    data = connect(data_port)
    send("RETR " + path)
    got = 0
    while got < 256 * 1024:
        chunk = data.recv(16384)
        if not chunk:
            break
        got += len(chunk)
        time.sleep(0.01)
    print("data: %d read before ABOR" % got, flush=True)
    r = send("ABOR")
    while r[:3] not in ("225", "226", "EOF"):
        r = reply()
    data.close()
send("QUIT")
