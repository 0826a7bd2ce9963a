#!/usr/bin/python3
"""Runs a command under the system-call filter a systemd unit's SystemCallFilter= lines make.

  unit_syscall_filter.py UNIT_FILE COMMAND [ARG...]

No systemd runs in the test environment, so the unit's filter is rebuilt here the way systemd
builds it (systemd.exec(5)): the first line's list is the allow-list, each later line adds to it
or, with "~", takes away from it; groups are expanded by `systemd-analyze syscall-filter`, the
same tables systemd uses; anything else fails with SystemCallErrorNumber (EPERM). With
NoNewPrivileges, as in the unit. So a call the server makes that the unit forbids fails here as
it would in the service.
"""
import errno
import os
import subprocess
import sys

import seccomp


def expand(name, cache={}):
    if not name.startswith("@"):
        return {name}
    if name not in cache:
        out = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True,
                             capture_output=True, text=True).stdout
        calls = set()
        for line in out.splitlines()[1:]:
            item = line.strip()
            if item and not item.startswith("#"):
                calls |= expand(item)
        cache[name] = calls
    return cache[name]


def main():
    unit, command = sys.argv[1], sys.argv[2:]
    lines = [l.split("=", 1)[1].strip() for l in open(unit)
             if l.startswith("SystemCallFilter=")]
    if not lines or lines[0].startswith("~"):
        sys.exit("unit_syscall_filter: the unit has no SystemCallFilter allow-list")
    allowed = set()
    for line in lines:
        deny = line.startswith("~")
        names = set()
        for item in line.lstrip("~").split():
            names |= expand(item)
        allowed = allowed - names if deny else allowed | names
    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    for name in sorted(allowed):
        try:
            f.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            pass  # not a system call of this architecture
    f.set_attr(seccomp.Attr.CTL_NNP, 1)
    f.load()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
