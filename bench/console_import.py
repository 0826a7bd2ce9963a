#!/usr/bin/python3
"""Importing a 1 GB pull bundle into the console, with progress, both ways:
  (a) `sealdrop-console import --progress` (the command line), its stderr read line by line;
  (b) the web face, `serve --media DIR`: sign in, POST /media/import, the streamed page read as
      it arrives.
The bundle is made by bench/make_pull_bundle: N reports, each with a made-up attachment of M MiB
sealed straight into the bundle (as the server and sealdrop-transfer pull stream them). Each way
imports into a fresh console. Printed: wall time, MB/s over the bundle's size, peak RSS (the
process's VmHWM / ru_maxrss, which includes the one Argon2id unlock of the officer's key slot,
libsodium MODERATE: 256 MiB), and the progress lines: how many, and how far apart in bytes and
in time. Nothing is asserted (BENCHMARKS.md "Console import of a 1 GB bundle"). The bundle and
the consoles are deleted at the end.

  bench/console_import.py [REPORTS [MIB_EACH]]   (default 8 x 128 MiB; release preset built,
                                                  plus --target make_pull_bundle)
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_web import start_serve  # noqa: E402 (the same console binary)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "release")
CONSOLE = os.path.join(BIN, "journalist_console", "sealdrop-console")
MAKE_BUNDLE = os.path.join(BIN, "bench", "make_pull_bundle")
MIB = 1 << 20


def run(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def mib(text, unit):
    value = float(text.replace(",", ""))
    return value * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def spacing(label, stamps):
    """stamps: [(seconds since start, MiB done)] of one stage's lines."""
    if len(stamps) < 2:
        return f"{label}: {len(stamps)} line(s)"
    gaps_mib = [b[1] - a[1] for a, b in zip(stamps, stamps[1:])]
    gaps_s = [b[0] - a[0] for a, b in zip(stamps, stamps[1:])]
    return (f"{label}: {len(stamps)} lines, every {statistics.median(gaps_mib):.1f} MiB "
            f"(median; {min(gaps_mib):.1f} to {max(gaps_mib):.1f}), every {statistics.median(gaps_s) * 1000:.0f} ms "
            f"(median; longest gap {max(gaps_s) * 1000:.0f} ms)")


def new_console(d, name, key, pw):
    data = os.path.join(d, name)
    run([CONSOLE, "init", "--data", data, "--key", key, "--key-passphrase-file", pw,
         "--officer", "bench", "--passphrase-file", pw])
    return data


def cli_import(d, bundle, key, pw, size):
    data = new_console(d, "console-cli", key, pw)
    argv = [CONSOLE, "import", "--progress", "--data", data, "--officer", "bench", "--passphrase-file", pw, bundle]
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stages = {"checking": [], "importing": []}
    for line in p.stderr:
        m = re.match(r"(checking|importing): ([\d.,]+) (KiB|MiB|GiB)", line)
        if m:
            stages[m.group(1)].append((time.perf_counter() - t0, mib(m.group(2), m.group(3))))
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"import failed: {out}")
    print(f"== (a) sealdrop-console import --progress: {wall:.1f} s, {size / 1e6 / wall:.0f} MB/s, "
          f"peak RSS {usage.ru_maxrss // 1024} MiB")
    print(f"   {out.strip().splitlines()[0]}")
    for stage, stamps in stages.items():
        print("   " + spacing(stage, stamps))
    shutil.rmtree(data)


def web_import(d, media, key, pw, size):
    data = new_console(d, "console-web", key, pw)
    serve, port = start_serve(data, "--media", media)
    try:
        cookies = {}

        def request(method, path, fields=None, stream=False):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            body = None
            if fields is not None:
                body = urllib.parse.urlencode(fields)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            for name, value in r.getheaders():
                if name.lower() == "set-cookie":
                    k, v = value.split(";", 1)[0].split("=", 1)
                    cookies[k] = v
            if stream:
                return r
            page = r.read().decode()
            conn.close()
            return r.status, page

        with open(pw) as f:
            passphrase = f.readline().rstrip("\n")
        _, page = request("GET", "/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        request("POST", "/sign-in", {"csrf": csrf, "officer": "bench", "passphrase": passphrase})
        _, page = request("GET", "/media")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        t0 = time.perf_counter()
        r = request("POST", "/media/import", {"csrf": csrf, "name": "pull.bundle"}, stream=True)
        stages = {"Checked": [], "Imported": []}
        first_byte = None
        rest = b""
        page = b""
        while True:
            chunk = r.read1(65536)
            if not chunk:
                break
            if first_byte is None:
                first_byte = time.perf_counter() - t0
            page += chunk
            rest += chunk
            while b"\n" in rest:
                line, rest = rest.split(b"\n", 1)
                m = re.match(rb"<li>(Checked|Imported) ([\d,]+) (KiB|MiB)", line)
                if m:
                    stages[m.group(1).decode()].append(
                        (time.perf_counter() - t0, mib(m.group(2).decode(), m.group(3).decode())))
        wall = time.perf_counter() - t0
        text = page.decode()
        result = re.search(r"\d+ new item\(s\) imported[^<]*", text)
        if not result:
            raise SystemExit("the web import did not finish:\n" + text[-2000:])
        rss = 0
        with open(f"/proc/{serve.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    rss = int(line.split()[1]) // 1024
        print(f"== (b) POST /media/import (streamed page): {wall:.1f} s, {size / 1e6 / wall:.0f} MB/s, "
              f"serve's peak RSS {rss} MiB, first bytes of the page after {first_byte * 1000:.0f} ms, "
              f"page {len(page) // 1024} KiB")
        print(f"   {result.group(0)}")
        for stage, stamps in stages.items():
            print("   " + spacing(stage, stamps))
    finally:
        serve.terminate()
        serve.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


def main(argv):
    reports = int(argv[1]) if len(argv) > 1 else 8
    each = int(argv[2]) if len(argv) > 2 else 128
    for tool in (CONSOLE, MAKE_BUNDLE):
        if not os.path.exists(tool):
            raise SystemExit(f"missing {tool}: build the release preset (and --target make_pull_bundle)")
    work = tempfile.mkdtemp(prefix="sealdrop-bench-import-")
    try:
        need = reports * each * MIB * 3.2
        free = shutil.disk_usage(work).free
        if free < need:
            raise SystemExit(f"needs about {need / 1e9:.1f} GB free in {work}, has {free / 1e9:.1f}")
        media = os.path.join(work, "media")
        os.makedirs(media)
        t0 = time.perf_counter()
        run([MAKE_BUNDLE, str(reports), media, str(each)])
        bundle = os.path.join(media, "pull.bundle")
        size = os.path.getsize(bundle)
        print(f"bundle: {reports} reports x {each} MiB attachments, {size / MIB:,.0f} MiB "
              f"({size / 1e9:.2f} GB), made in {time.perf_counter() - t0:.1f} s")
        key, pw = os.path.join(media, "MET.secret"), os.path.join(media, "passphrase.txt")
        # The key and passphrase file stay out of the listing (not *.bundle) but are moved off the
        # media anyway, as they would never be on it.
        shutil.move(key, os.path.join(work, "MET.secret"))
        shutil.move(pw, os.path.join(work, "passphrase.txt"))
        key, pw = os.path.join(work, "MET.secret"), os.path.join(work, "passphrase.txt")
        cli_import(work, bundle, key, pw, size)
        web_import(work, media, key, pw, size)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
