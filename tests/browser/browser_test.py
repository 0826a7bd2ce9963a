#!/usr/bin/python3
"""The reporter's journey in headless Chromium with JavaScript disabled, against the real server.

Makes a fresh instance with the real tools (sealdrop-console: root key, MET keys, signed
directory), starts sealdrop-server on a loopback port, and runs journey.py: landing page, report
form sent once with "What happened?" blank (it comes back with the problem summarised and the words
kept), then filled and submitted with an attachment, codename read, login with it, inbox, follow-up.
Then it checks what the server stored with the force's key (sealdrop-console open --out-dir):
every answer and the attachment byte for byte, and the follow-up sealed to the same force.
Screenshots of each page are left in --artefacts. With --lang cy the journey runs in Welsh
(journey.py --lang cy: from the English landing page's "Cymraeg" link on, under /cy), its
screenshots go to DIR/cy, and the sealed report must record "language": "cy".

  browser_test.py --server BIN --console BIN --artefacts DIR [--lang cy]
Exit 0 only when everything passed.
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)
    if r.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(argv[:3])} ... exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r.stdout


def make_instance(console, work):
    """Root key, MET and NATIONAL keys and a signed directory in WORK; returns (keys, passphrase file)."""
    keys = os.path.join(work, "keys")
    pw = os.path.join(work, "passphrase.txt")
    with open(pw, "w") as f:
        f.write("browser test passphrase\n")
    run([console, "root-keygen", "--out", keys, "--passphrase-file", pw])
    for force in ("MET", "NATIONAL"):
        run([console, "keygen", "--force", force, "--out", keys, "--passphrase-file", pw])
    run([console, "directory", "build", "--keys", keys, "--out", f"{work}/forces.json",
         "--skip-missing"])
    run([console, "directory", "sign", "--root-key", f"{keys}/root.secret", "--in",
         f"{work}/forces.json", "--out", f"{work}/directory.signed", "--passphrase-file", pw])
    return keys, pw


def start_server(server_bin, work, data, extra=()):
    """sealdrop-server on a loopback port for the instance in WORK; returns (process, base URL).
    With --force-listen in EXTRA, process.force_api is the force API's address."""
    keys = os.path.join(work, "keys")
    server = subprocess.Popen(
        [server_bin, "--listen", "127.0.0.1:0", "--data", data, "--directory",
         f"{work}/directory.signed", "--root-pub", f"{keys}/root.public", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline().strip()
    server.force_api = None  # with --force-listen, its "force-api ADDRESS" line comes first
    if line.startswith("force-api "):
        server.force_api = line.split(" ", 1)[1]
        line = server.stdout.readline().strip()
    if not line.startswith("listening "):
        server.kill()
        raise SystemExit(f"FAILED: server did not start: {line!r} {server.stderr.read()}")
    return server, "http://" + line.split(" ", 1)[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--artefacts", required=True)
    ap.add_argument("--lang", choices=("en", "cy"), default="en")
    a = ap.parse_args()
    artefacts = os.path.join(a.artefacts, "cy") if a.lang == "cy" else a.artefacts
    if not shutil.which("chromium"):
        print("browser_test: chromium is not installed (./scripts/install-deps installs it)",
              file=sys.stderr)
        return 1

    work = tempfile.mkdtemp(prefix="sealdrop-browser-")
    server = None
    try:
        keys, pw = make_instance(a.console, work)
        data = os.path.join(work, "data")
        server, base = start_server(a.server, work, data)

        attachment = os.path.join(work, "evidence photo.jpg")
        blob = os.urandom(700 * 1024)
        with open(attachment, "wb") as f:
            f.write(blob)
        what = ("Prawf porwr: cymerodd PC 4521 arian parod yn yr orsaf ar 3 Mai. £200 — ŵ ŷ."
                if a.lang == "cy" else
                "Browser test: PC 4521 took cash at the station on 3 May. £200 — ü.")
        followup = ("Un peth arall o'r porwr." if a.lang == "cy" else
                    "One more thing from the browser.")
        os.makedirs(artefacts, exist_ok=True)
        j = subprocess.run(
            ["/usr/bin/python3", os.path.join(HERE, "journey.py"), "--base", base, "--out",
             artefacts, "--force", "MET", "--what", what, "--attach", attachment,
             "--category", "personal_advantage", "--followup", followup, "--lang", a.lang],
            capture_output=True, text=True, timeout=300)
        sys.stderr.write(j.stderr)
        if j.returncode != 0:
            raise SystemExit(f"FAILED: journey.py exited {j.returncode}: {j.stdout}")
        result = json.loads(j.stdout.strip().splitlines()[-1])
        codename = result["codename"]

        # What the server stored opens with the force's key and matches what the browser sent.
        # Empty files are spares made ahead of uploads (server/storage/blob_files.h).
        blobs = sorted(n for n in os.listdir(os.path.join(data, "blobs"))
                       if os.path.getsize(os.path.join(data, "blobs", n)) > 0)
        if len(blobs) != 2:
            raise SystemExit(f"FAILED: expected a report and a follow-up, found {len(blobs)} blobs")
        kinds = {}
        for i, name in enumerate(blobs):
            out = os.path.join(work, f"opened-{i}")
            run([a.console, "open", "--key", f"{keys}/MET.secret", "--passphrase-file", pw,
                 "--in", os.path.join(data, "blobs", name), "--out-dir", out])
            with open(os.path.join(out, "metadata.json")) as f:
                doc = json.load(f)
            kinds[doc["metadata"]["kind"]] = (doc, out)
        report, out = kinds["report"]
        m = report["metadata"]
        checks = [
            (m["force"] == "MET", "force"),
            (m["what"] == what, "what happened, byte for byte"),
            (m["category"] == "personal_advantage", "category"),
            (m["role"] == "staff" and m["duty"] == "on" and m["setting"] == "in_person", "radios"),
            (m["at_risk"] == "no", "at risk"),
            (m["contact"] == {"mode": "anonymous"}, "anonymous by default"),
            (m.get("language") == a.lang, "the reporter's language"),
            (len(report["parts"]) == 1 and report["parts"][0]["name"] == "evidence photo.jpg",
             "attachment name"),
        ]
        with open(os.path.join(out, report["parts"][0]["file"]), "rb") as f:
            checks.append((f.read() == blob, "attachment bytes"))
        fu = kinds["followup"][0]["metadata"]
        checks.append((fu["message"] == followup, "follow-up message"))
        checks.append((fu["source"]["ref"] == m["source"]["ref"], "follow-up from the same source"))
        failed = [name for ok, name in checks if not ok]
        if failed:
            raise SystemExit(f"FAILED: stored report differs from what the browser sent: {failed}")

        # Nothing readable on the server's disk, and the codename in no log.
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=20)
        server = None
        for root, _, files in os.walk(data):
            for fn in files:
                with open(os.path.join(root, fn), "rb") as f:
                    content = f.read()
                for secret in (b"PC 4521", codename.encode(), blob[:64]):
                    if secret in content:
                        raise SystemExit(f"FAILED: plaintext found in {fn}")
        if codename in err or "4521" in err:
            raise SystemExit("FAILED: a secret reached the server log")
        print(f"browser_test: journey passed in {result.get('seconds', '?')} s; screenshots: "
              + ", ".join(result.get("screenshots", [])))
        return 0
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
