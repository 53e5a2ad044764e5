#!/usr/bin/python3
"""Runs a command under the system-call filter of ftpgate.service, for packaging/test-installed.sh.

The unit has SystemCallFilter=@system-service and SystemCallErrorNumber=EPERM: every system call outside that
group fails with EPERM. Without systemd as PID 1 the unit cannot be started here, so this applies the same
allow list (expanded from `systemd-analyze syscall-filter`, so it is the installed systemd's own) with
libseccomp and then execs the command: the gateway must still move files under it.

Usage: seccomp-exec.py COMMAND [ARG...]   (needs no_new_privs, e.g. under `setpriv --no-new-privs`)
"""
import errno
import os
import subprocess
import sys

import seccomp

GROUP = "@system-service"


def expand(group, seen):
    """The system calls of a systemd group, nested groups included."""
    names = set()
    text = subprocess.run(["systemd-analyze", "syscall-filter", group], capture_output=True, text=True,
                          check=True).stdout
    for line in text.splitlines()[1:]:
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if word.startswith("@"):
            if word not in seen:
                seen.add(word)
                names |= expand(word, seen)
        else:
            names.add(word)
    return names


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: seccomp-exec.py COMMAND [ARG...]")
    rules = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    allowed = 0
    for name in sorted(expand(GROUP, {GROUP})):
        try:
            rules.add_rule(seccomp.ALLOW, name)
            allowed += 1
        except (RuntimeError, ValueError):
            pass  # a name this architecture or libseccomp does not know; systemd skips those too
    rules.load()
    sys.stderr.write("seccomp-exec: %s (%d system calls), others fail with EPERM\n" % (GROUP, allowed))
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
