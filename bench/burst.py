#!/usr/bin/python3
"""A burst of new reporters: N browsers open the report form, then all send it at the same moment.

Each new report needs one Argon2id derivation (64 MiB, in the derivation helpers), so a burst
queues in the KDF pool (docs/server.md): every reporter must get a codename, none a refusal. Prints,
for each N, how many got their codename page and the time from sending the form to that page:
p50, p90 and the slowest. Against the real release server on 127.0.0.1 with its default settings
(one derivation worker, a queue of 64).

  bench/burst.py [N ...]        (default: 20 50; build the release preset first)
"""
import os, shutil, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
from browser_test import make_instance, start_server  # noqa: E402

BIN = os.path.join(ROOT, "build", "release")
WHAT = "A report written by a reporter in a burst. " * 20


def open_form(base):
    page = urllib.request.urlopen(base + "/report", timeout=30)
    html = page.read().decode()
    return page.headers["Set-Cookie"].split(";")[0], html.split('name="csrf" value="')[1].split('"')[0]


def send(base, cookie, token):
    boundary = "----burst"
    body = "".join('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)
                   for k, v in (("csrf", token), ("force", "MET"), ("what", WHAT))) + "--%s--\r\n" % boundary
    req = urllib.request.Request(base + "/report", data=body.encode(), headers={
        "Cookie": cookie, "Content-Type": "multipart/form-data; boundary=" + boundary})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, 'id="codename"' in r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, False


def burst(base, n):
    forms = [open_form(base) for _ in range(n)]
    go = threading.Barrier(n)
    results = [None] * n

    def reporter(i):
        go.wait()
        start = time.monotonic()
        status, codename = send(base, *forms[i])
        results[i] = (status, codename, time.monotonic() - start)

    threads = [threading.Thread(target=reporter, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [20, 50]
    work = tempfile.mkdtemp(prefix="sealdrop-burst-")
    server = None
    try:
        make_instance(os.path.join(BIN, "journalist_console", "sealdrop-console"), work)
        server, base = start_server(os.path.join(BIN, "server", "sealdrop-server"), work,
                                    os.path.join(work, "data"))
        print("%-10s %-12s %-9s %-9s %-9s" % ("reporters", "codenames", "p50", "p90", "slowest"))
        for n in sizes:
            results = burst(base, n)
            times = sorted(t for _, _, t in results)
            got = sum(1 for status, codename, _ in results if status == 200 and codename)
            p90 = times[min(len(times) - 1, int(round(0.9 * len(times))) - 1)]
            print("%-10d %-12s %-9s %-9s %-9s" % (n, "%d of %d" % (got, n),
                                                  "%.2f s" % statistics.median(times),
                                                  "%.2f s" % p90, "%.2f s" % times[-1]))
            refused = sorted({status for status, codename, _ in results if not codename})
            if refused:
                print("  refused with HTTP %s" % refused)
        return 0
    finally:
        if server:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
