#!/usr/bin/python3
"""The console's web face on a big console: `sealdrop-console serve` on 127.0.0.1:0 over a
console holding N imported synthetic reports (bench/make_pull_bundle), an officer signed in as a
browser would (sign-in form, CSRF, session cookie), then each page requested R times one after
another and its p50/p99 latency printed:
  the case list (at-risk first, 100 to a page: the first and the last page), a filtered list (status, category,
  at-risk), a search (POST /search, then the filtered list it leads to, built from the opened
  text in memory), one case, the statistics.
Nothing is asserted: it prints figures (BENCHMARKS.md "Console web face").

  bench/console_web.py [N ...]   (default 1000 10000; release preset built first, plus
                                  cmake --build --preset release --target make_pull_bundle)
"""
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "release")
CONSOLE = os.path.join(BIN, "journalist_console", "sealdrop-console")
MAKE_BUNDLE = os.path.join(BIN, "bench", "make_pull_bundle")
REQUESTS = 30


def run(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


class Client:
    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, fields=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        page = r.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - t0
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";", 1)[0].split("=", 1)
                self.cookies[k] = v
        conn.close()
        return r.status, r.getheader("Location"), page, elapsed


def csrf_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def timed(client, label, method, path, fields=None, expect=200):
    times = []
    for _ in range(REQUESTS):
        status, _, page, elapsed = client.request(method, path, fields)
        if status != expect:
            raise SystemExit(f"{label}: HTTP {status}\n{page[:500]}")
        times.append(elapsed * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"   {label:<44} p50 {statistics.median(times):8.1f} ms   p99 {p99:8.1f} ms   "
          f"({len(page) // 1024} KiB page)")
    return page


def start_serve(data, *extra):
    """Starts `sealdrop-console serve --data DATA` on 127.0.0.1:0 (and EXTRA); returns
    (process, port) once it listens."""
    serve = subprocess.Popen([CONSOLE, "serve", "--data", data, "--listen", "127.0.0.1:0", *extra],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in serve.stdout:
        if line.startswith("listening "):
            return serve, int(line.rsplit(":", 1)[1])
    serve.kill()
    serve.wait()
    raise SystemExit("serve did not start")


def bench(n, work):
    d = os.path.join(work, str(n))
    os.makedirs(d)
    run([MAKE_BUNDLE, str(n), d])
    pw = os.path.join(d, "passphrase.txt")
    officer = ["--officer", "bench", "--passphrase-file", pw]
    run([CONSOLE, "init", "--data", f"{d}/console", "--key", f"{d}/MET.secret",
         "--key-passphrase-file", pw, *officer])
    run([CONSOLE, "import", "--data", f"{d}/console", *officer, f"{d}/pull.bundle"])
    serve, port = start_serve(f"{d}/console")
    try:
        c = Client(port)
        _, _, page, _ = c.request("GET", "/sign-in")
        with open(pw) as f:
            passphrase = f.readline().rstrip("\n")
        t0 = time.perf_counter()
        status, location, page, _ = c.request(
            "POST", "/sign-in", {"csrf": csrf_of(page), "officer": "bench", "passphrase": passphrase})
        if status != 303:
            raise SystemExit(f"sign-in: HTTP {status}\n{page[:500]}")
        print(f"== {n} cases: sign-in (Argon2id unwrap of the officer's key slot) "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")
        page = timed(c, "case list (page 1, at-risk first)", "GET", "/cases")
        case = re.search(r'href="/cases/([0-9a-f]{32})"', page).group(1)
        last = re.search(r"Page [0-9,]+ of ([0-9,]+)", page)
        if last:
            timed(c, "case list, last page", "GET", f"/cases?page={last.group(1).replace(',', '')}")
        csrf = csrf_of(page)
        timed(c, "filtered list (new, corruption, at risk)", "GET",
              "/cases?status=new&category=corruption&at_risk=1")
        # The first results page builds the session's index from the opened text (every case
        # opened with the force key, in memory); later ones reuse it.
        status, location, _, _ = c.request("POST", "/search",
                                           {"csrf": csrf, "q": "number 77", "back": ""})
        t0 = time.perf_counter()
        status, _, _, _ = c.request("GET", location)
        print(f"   {'first results page (builds the index)':<44} "
              f"{(time.perf_counter() - t0) * 1000:8.1f} ms   (HTTP {status})")
        timed(c, "search POST (number 77)", "POST", "/search",
              {"csrf": csrf, "q": "number 77", "back": ""}, expect=303)
        timed(c, "search results page", "GET", location)
        timed(c, "one case", "GET", f"/cases/{case}")
        timed(c, "statistics", "GET", "/stats")
        rss = 0
        with open(f"/proc/{serve.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    rss = int(line.split()[1]) // 1024
        print(f"   serve's peak RSS {rss} MiB")
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        shutil.rmtree(d, ignore_errors=True)


def main(argv):
    sizes = [int(a) for a in argv[1:]] or [1000, 10000]
    for path in (CONSOLE, MAKE_BUNDLE):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{path} missing: build the release preset and make_pull_bundle first")
    work = tempfile.mkdtemp(prefix="sealdrop-console-web-")
    try:
        for n in sizes:
            bench(n, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
