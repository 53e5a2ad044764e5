#!/usr/bin/env python3
"""pyftpdlib server for the system test, deliberately promiscuous (CERT category 1).

permit_foreign_addresses=True and permit_privileged_ports=True: the server connects wherever PORT/EPRT
says, so in the attack scenarios ftpgate is the only defence.
With THROTTLE (bytes per second) the data channel is throttled like a slow WAN link: nmap's bounce scan
needs the 150 and the 226 of a LIST in separate reads, which a local link at full speed does not give it.
USER "anonymous" is an anonymous account (any password) that may upload, as on the CERT tip's servers.
usage: pyftpd.py ADDR PORT ROOT USER PASSWORD LOG [THROTTLE]
"""
import logging, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer

addr, port, root, user, password, log = sys.argv[1:7]
logging.basicConfig(filename=log, level=logging.INFO, format="%(asctime)s %(message)s")
auth = DummyAuthorizer()
if user == "anonymous":
    auth.add_anonymous(root, perm="elradfmwMT")
else:
    auth.add_user(user, password, root, perm="elradfmwMT")
handler = FTPHandler
if len(sys.argv) > 7 and int(sys.argv[7]) > 0:
    dtp = ThrottledDTPHandler
    dtp.read_limit = dtp.write_limit = int(sys.argv[7])
    handler.dtp_handler = dtp
handler.authorizer = auth
handler.permit_foreign_addresses = True
handler.permit_privileged_ports = True
handler.banner = "pyftpdlib (promiscuous) ready"
server = FTPServer((addr, int(port)), handler)
server.max_cons = 256
server.max_cons_per_ip = 0
server.serve_forever()
