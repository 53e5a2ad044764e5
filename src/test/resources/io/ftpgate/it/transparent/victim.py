"""A listener that must never be reached (TransparentPlacementIT): victim.py ADDR PORT FILE appends the
address of every connection it accepts to FILE."""
import socket
import sys

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2])))
srv.listen(16)
while True:
    c, peer = srv.accept()
    with open(sys.argv[3], "a") as out:
        out.write(peer[0] + "\n")
    c.close()
