"""One raw FTP dialog for TransparentPlacementIT, run inside a namespace: ftp_dialog.py HOST PORT CMD...
Prints the final line of the greeting and of each command's replies (a 1xx is followed by its final reply),
or EOF when the connection closes; stops at EOF."""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port), timeout=5)
f = s.makefile("rb")


def reply():
    while True:
        line = f.readline()
        if not line:
            return "EOF"
        text = line.decode("latin-1").rstrip("\r\n")
        if len(text) >= 4 and text[:3].isdigit() and text[3] == " ":
            return text


def final():
    r = reply()
    print(r, flush=True)
    if r[:1] == "1":
        r = reply()
        print(r, flush=True)
    return r


r = final()
for cmd in sys.argv[3:]:
    if r == "EOF":
        break
    s.sendall((cmd + "\r\n").encode("latin-1"))
    r = final()
