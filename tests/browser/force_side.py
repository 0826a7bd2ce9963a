#!/usr/bin/python3
"""The force's side of a browser test, with the real tools: sealdrop-transfer pulls what arrived
for a force over the force API (127.0.0.1), sealdrop-console imports it and seals a reply to the
newest case, and sealdrop-transfer pushes the reply back, as an officer does (docs/console.md).

  push_reply(console, transfer, work, force_api, force, text)
WORK is the instance made by browser_test.make_instance; FORCE_API the server's `force-api`
address (start_server(..., ["--force-listen", "127.0.0.1:0"]) sets server.force_api).
"""
import os

from browser_test import run


def push_reply(console, transfer, work, force_api, force, text):
    keys, pw = os.path.join(work, "keys"), os.path.join(work, "passphrase.txt")
    media, data = os.path.join(work, "media"), os.path.join(work, "console")
    os.makedirs(media, exist_ok=True)
    xfer = ["--server", "http://" + force_api, "--force", force, "--key",
            f"{keys}/{force}-transfer.secret", "--passphrase-file", pw]
    run([transfer, "pull", *xfer, "--out", f"{media}/in.bundle"])
    if not os.path.isdir(data):
        run([console, "init", "--data", data])
    run([console, "import", "--data", data, "--key", f"{keys}/{force}.secret",
         "--passphrase-file", pw, f"{media}/in.bundle"])
    listing = run([console, "list", "--data", data, "--passphrase-file", pw]).splitlines()
    case = listing[1].split()[0]  # under the header, the case just imported (one per test)
    with open(f"{media}/reply.txt", "w") as f:
        f.write(text + "\n")
    run([console, "reply", "--data", data, "--passphrase-file", pw, case, "--in", f"{media}/reply.txt"])
    run([console, "outbox", "--data", data, "--out", f"{media}/out.bundle"])
    run([transfer, "push", *xfer, "--in", f"{media}/out.bundle"])
