#!/usr/bin/python3
"""A pyftpdlib server for the auditor's integration tests.

Usage: pyftpd.py PERMIT_FOREIGN ROOT [write]
  PERMIT_FOREIGN  "true" or "false": FTPHandler.permit_foreign_addresses, which pyftpdlib applies to both
                  PORT/EPRT (bounce) and incoming passive data connections (theft).
  ROOT            the anonymous user's home (read-only). With "write", also the home of user "writer"
                  (password "writer-secret-90ad"), who may upload: the gateway's own tests with pyftpdlib.
Listens on 127.0.0.1 on a free port and prints that port on the first line of stdout. (`python3 -m pyftpdlib`
cannot set permit_foreign_addresses, hence this script.) Without pyftpdlib it prints "MISSING pyftpdlib" and
exits with 3, so the test can say what to install.
"""
import sys

try:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
except ImportError:
    print("MISSING pyftpdlib", flush=True)
    sys.exit(3)


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("true", "false"):
        print("usage: pyftpd.py true|false ROOT [write]", flush=True)
        sys.exit(2)
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(sys.argv[2])
    if sys.argv[3:] == ["write"]:
        authorizer.add_user("writer", "writer-secret-90ad", sys.argv[2], perm="elradfmw")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = authorizer
    Handler.permit_foreign_addresses = sys.argv[1] == "true"
    server = FTPServer(("127.0.0.1", 0), Handler)
    print(server.address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
