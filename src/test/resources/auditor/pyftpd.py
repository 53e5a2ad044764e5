#!/usr/bin/python3
"""A pyftpdlib server for the auditor's integration tests.

Usage: pyftpd.py PERMIT_FOREIGN ROOT [write] [tls CERT KEY]
  PERMIT_FOREIGN  "true" or "false": FTPHandler.permit_foreign_addresses, which pyftpdlib applies to both
                  PORT/EPRT (bounce) and incoming passive data connections (theft).
  ROOT            the anonymous user's home (read-only). With "write", also the home of user "writer"
                  (password "writer-secret-90ad"), who may upload: the gateway's own tests with pyftpdlib.
  tls CERT KEY    FTPS: TLS_FTPHandler with the PEM certificate and key, TLS required on the control and data
                  connections (tls_control_required, tls_data_required). Needs pyOpenSSL (python3-openssl);
                  without it the script prints "MISSING pyOpenSSL" and exits with 3.
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


def handler_class(tls):
    """FTPHandler, or with tls = [CERT, KEY] a TLS_FTPHandler that requires TLS everywhere."""
    if tls is None:
        return FTPHandler
    try:
        from pyftpdlib.handlers import TLS_FTPHandler
    except ImportError:
        print("MISSING pyOpenSSL", flush=True)
        sys.exit(3)

    class Handler(TLS_FTPHandler):
        certfile = tls[0]
        keyfile = tls[1]
        tls_control_required = True
        tls_data_required = True

    return Handler


def main():
    args = sys.argv[1:]
    tls = None
    if len(args) >= 3 and args[-3] == "tls":
        tls, args = args[-2:], args[:-3]
    if len(args) not in (2, 3) or args[0] not in ("true", "false") or args[2:] not in ([], ["write"]):
        print("usage: pyftpd.py true|false ROOT [write] [tls CERT KEY]", flush=True)
        sys.exit(2)
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(args[1])
    if args[2:] == ["write"]:
        authorizer.add_user("writer", "writer-secret-90ad", args[1], perm="elradfmw")

    class Handler(handler_class(tls)):
        pass

    Handler.authorizer = authorizer
    Handler.permit_foreign_addresses = args[0] == "true"
    server = FTPServer(("127.0.0.1", 0), Handler)
    print(server.address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
