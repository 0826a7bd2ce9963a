#!/usr/bin/python3
"""Runs Debian's real `age` with a passphrase typed on a pseudo-terminal.

age reads a passphrase only from a terminal (never from stdin or a file), so tests drive it
through a pty: `age_tty.py PASSPHRASE_FILE -- age -d -o OUT IN`. Every prompt that asks for a
passphrase ("Enter passphrase", "Confirm passphrase") is answered with the first line of
PASSPHRASE_FILE. The exit status is age's; what age printed goes to stderr.
"""
import os
import pty
import sys


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print("usage: age_tty.py PASSPHRASE_FILE -- AGE ARGS...", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        passphrase = f.read().split(b"\n", 1)[0]
    argv = sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    seen = b""
    answered = 0
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        seen += data
        # One answer per prompt; the prompts end with ": " (age's terminal UI).
        while seen.lower().count(b"passphrase") > answered:
            os.write(fd, passphrase + b"\r")
            answered += 1
    _, status = os.waitpid(pid, 0)
    sys.stderr.write(seen.decode("utf-8", "replace"))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
