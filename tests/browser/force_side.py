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
    # One officer, "psd", signs in with the force key's passphrase (docs/console.md §5).
    officer = ["--officer", "psd", "--passphrase-file", pw]
    if not os.path.isdir(data):
        run([console, "init", "--data", data, "--key", f"{keys}/{force}.secret",
             "--key-passphrase-file", pw, *officer])
    run([console, "import", "--data", data, *officer, f"{media}/in.bundle"])
    listing = run([console, "list", "--data", data, *officer]).splitlines()
    case = listing[1].split()[0]  # under the header, the case just imported (one per test)
    # The reply on standard input: never in argv or a file (docs/console.md §2).
    run([console, "reply", "--data", data, *officer, case], input=text + "\n")
    run([console, "outbox", "--data", data, *officer, "--out", f"{media}/out.bundle"])
    run([transfer, "push", *xfer, "--in", f"{media}/out.bundle"])
