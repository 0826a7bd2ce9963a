#!/usr/bin/python3
"""The reporter's journey in Firefox ESR (Gecko, Tor Browser's engine) with JavaScript disabled and
privacy.resistFingerprinting on, against the real server, driven over Marionette
(tests/browser/marionette.py: no geckodriver is packaged).

The same journey as the Chromium one (journey.py): landing page, report form filled with a file,
codename read; the force pulls it, replies and pushes the reply with the real sealdrop-transfer
and sealdrop-console; the reporter logs in with the codename, reads the reply and sends a
follow-up. What the server stored opens with the force's key and matches what Firefox sent, byte
for byte. Screenshots of each page are left in --artefacts (firefox-*.png).

  firefox_journey.py --server BIN --console BIN --transfer BIN --artefacts DIR [--lang en|cy]
--lang cy runs it in Welsh: it starts on the English landing page, follows the language link to
/cy and stays there. Exit 0 only when everything passed.
"""
import argparse, json, os, re, shutil, sqlite3, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from browser_test import make_instance, run, start_server  # noqa: E402
from force_side import push_reply  # noqa: E402
from marionette import PREFS, Firefox, MarionetteError  # noqa: E402

LANGS = {"en": ("", "en"), "cy": ("/cy", "cy")}  # path prefix, <html lang> starts with
CODENAME_RE = re.compile(r"^[a-z]+( [a-z]+){6}$")
JS_PROBE = ("data:text/html,<p id=x>OFF</p>"
            "<script>document.getElementById('x').textContent='ON'</script>")
REPORT = 'form[action$="/report"][method="post"]'
LOGIN = 'form[action$="/login"][method="post"]'
FOLLOWUP = 'form[action$="/followup"][method="post"]'
WHAT = "Firefox test: PC 4521 took cash at the station on 3 May.\nSecond line: £200 — ü."
REPLY = "Thank you. Detectives are looking into PC 4521."
FOLLOWUP_TEXT = "One more thing, from Firefox."


class Fail(Exception):
    pass


def wait_for(ff, css, what, timeout=90):
    """A form's answer can take seconds (a codename is derived): wait for its page's mark."""
    end = time.monotonic() + timeout
    while True:
        element = ff.find(css, required=False)
        if element:
            return element
        if time.monotonic() > end:
            raise Fail("%s: no %s on %s within %d s" % (what, css, ff.url(), timeout))
        time.sleep(0.2)


def expect_lang(ff, lang, what):
    have = ff.attribute(ff.find("html"), "lang") or ""
    if not have.startswith(lang):
        raise Fail("%s: <html lang=%r>, expected %s" % (what, have, lang))


def choose_radio(ff, name, value):
    ff.click(ff.find('label[for="%s-%s"]' % (name, value)))  # as a reader does: the label
    if not ff.selected(ff.find('input[name="%s"][value="%s"]' % (name, value))):
        raise Fail("radio %s=%s is not selected after clicking its label" % (name, value))


def stored(data, kind):
    db = sqlite3.connect("file:%s/index.sqlite?mode=ro" % data, uri=True)
    try:
        return [r[0] for r in db.execute("SELECT id FROM items WHERE kind = ?", (kind,))]
    finally:
        db.close()


def journey(ff, a, base, work, data, timings):
    prefix, lang = LANGS[a.lang]
    shots = []

    def shot(name):
        shots.append(ff.screenshot(os.path.join(a.artefacts, "firefox-%s%s.png" % (
            name, "" if a.lang == "en" else "-" + a.lang))))

    def step(name, t0=[time.monotonic()]):
        now = time.monotonic()
        timings.append("%s %.1f s" % (name, now - t0[0]))
        print("firefox_journey: %-40s %.1f s" % (name, now - t0[0]), flush=True)
        t0[0] = now

    ff.navigate(JS_PROBE)
    if ff.text(ff.find("#x")) != "OFF":
        raise Fail("JavaScript is ON in this Firefox; refusing to test")
    live = ff.prefs(list(PREFS))
    wrong = {n: live[n] for n in PREFS if live[n] != PREFS[n] and n != "marionette.port"}
    if wrong:
        raise Fail("Firefox is not running with the profile's prefs: %s" % wrong)
    step("JavaScript off, every pref of the profile in force")

    ff.navigate(base + "/")
    if prefix:  # the language switch: a visible link on the English page, no script
        ff.click(ff.find('a[hreflang="%s"], a[lang="%s"], a[href^="%s/"]' % (lang, lang, prefix)))
        if not ff.url().startswith(base + prefix):
            raise Fail("the language link led to %s, not %s" % (ff.url(), base + prefix))
    expect_lang(ff, lang, "landing")
    ff.find('a#exit-this-page[href^="https://"]')
    if ff.find("#tor-warning", required=False):
        raise Fail("landing: the not-through-Tor warning is shown")
    shot("landing")
    ff.click(ff.find('main a[href$="/report"]'))
    form = wait_for(ff, REPORT, "report form")
    if ff.attribute(form, "enctype") != "multipart/form-data":
        raise Fail("the report form is not multipart/form-data")
    expect_lang(ff, lang, "report form")
    step("landing and report form")

    ff.click(ff.find(REPORT + ' select[name="force"] option[value="MET"]'))
    if not ff.selected(ff.find(REPORT + ' select[name="force"] option[value="MET"]')):
        raise Fail("the force MET is not selected after choosing it")
    for name, value in (("category", "personal_advantage"), ("role", "staff"), ("duty", "on"),
                        ("setting", "in_person"), ("at_risk", "no")):
        choose_radio(ff, name, value)
    ff.send_keys(ff.find(REPORT + ' textarea[name="what"]'), WHAT)
    if not ff.selected(ff.find(REPORT + ' input[name="contact"][value="anonymous"]')):
        raise Fail("contact=anonymous is not chosen by default")
    attachment = os.path.join(work, "evidence photo.jpg")
    blob = os.urandom(300 * 1024)
    with open(attachment, "wb") as f:
        f.write(blob)
    ff.send_keys(ff.find(REPORT + ' input[type=file][name="file"]'), attachment)
    shot("form")
    ff.click(ff.find(REPORT + " button[type=submit]"))
    codename = ff.text(wait_for(ff, "#codename", "report sent")).strip()
    if not CODENAME_RE.match(codename):
        raise Fail("#codename %r is not seven lowercase words" % codename)
    expect_lang(ff, lang, "codename page")
    shot("codename")
    step("report filled and sent, codename read")

    # What the server stored opens with the force's key and is what Firefox sent.
    ids = stored(data, "report")
    if len(ids) != 1:
        raise Fail("expected one stored report, found %d" % len(ids))
    keys, pw = os.path.join(work, "keys"), os.path.join(work, "passphrase.txt")
    out = os.path.join(work, "opened")
    run([a.console, "open", "--key", f"{keys}/MET.secret", "--passphrase-file", pw,
         "--in", os.path.join(data, "blobs", ids[0]), "--out-dir", out])
    with open(os.path.join(out, "metadata.json")) as f:
        doc = json.load(f)
    m = doc["metadata"]
    checks = [(m["force"] == "MET", "force"), (m["what"] == WHAT, "what happened, byte for byte"),
              (m["category"] == "personal_advantage", "category"),
              (m["role"] == "staff" and m["duty"] == "on" and m["setting"] == "in_person", "radios"),
              (m["contact"] == {"mode": "anonymous"}, "anonymous by default"),
              (m.get("language", "en") == a.lang, "the reporter's language (docs/report.md)"),
              (len(doc["parts"]) == 1 and doc["parts"][0]["name"] == "evidence photo.jpg",
               "attachment name")]
    with open(os.path.join(out, doc["parts"][0]["file"]), "rb") as f:
        checks.append((f.read() == blob, "attachment bytes"))
    failed = [name for ok, name in checks if not ok]
    if failed:
        raise Fail("the stored report differs from what Firefox sent: %s" % failed)
    step("stored report opened and compared")

    push_reply(a.console, a.transfer, work, a.force_api, "MET", REPLY)
    step("reply pulled, sealed and pushed")

    ff.navigate(base + prefix + "/login")
    ff.send_keys(ff.find(LOGIN + ' input[name="codename"]'), codename)
    ff.click(ff.find(LOGIN + " [type=submit]"))
    wait_for(ff, "#inbox", "login")
    replies = [ff.text(e) for e in ff.find_all("article.reply")]
    if not any(REPLY in " ".join(r.split()) for r in replies):
        raise Fail("the inbox does not show the reply (replies: %s)" % [r[:120] for r in replies])
    expect_lang(ff, lang, "inbox")
    shot("inbox")
    step("logged in, reply read")

    ff.send_keys(ff.find(FOLLOWUP + ' textarea[name="message"]'), FOLLOWUP_TEXT)
    ff.click(ff.find(FOLLOWUP + " button[type=submit]"))
    wait_for(ff, "#followup-sent", "follow-up")
    shot("followup")
    if len(stored(data, "followup")) != 1:
        raise Fail("the follow-up was not stored")
    step("follow-up sent")
    return codename, shots


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--server", "--console", "--transfer", "--artefacts"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--lang", choices=sorted(LANGS), default="en")
    a = ap.parse_args()
    if not shutil.which("firefox-esr"):
        print("firefox_journey: firefox-esr is not installed (./scripts/install-deps installs it)",
              file=sys.stderr)
        return 1
    started = time.monotonic()
    os.makedirs(a.artefacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sealdrop-firefox-")
    server = ff = None
    timings = []
    try:
        make_instance(a.console, work)
        data = os.path.join(work, "data")
        server, base = start_server(a.server, work, data, ["--force-listen", "127.0.0.1:0"])
        a.force_api = server.force_api
        ff = Firefox(time.monotonic() + 420)
        print("firefox_journey: Firefox %s up, %.0f s after the start" % (ff.version, time.monotonic() - started))
        codename, shots = journey(ff, a, base, work, data, timings)
        ff.close()
        ff = None
        server.terminate()
        _, err = server.communicate(timeout=20)
        server = None
        if codename in err or "4521" in err:
            raise Fail("a secret reached the server log")
        print("firefox_journey: passed (%s) in %.0f s; screenshots: %s"
              % (a.lang, time.monotonic() - started, ", ".join(os.path.basename(s) for s in shots)))
        return 0
    except (Fail, MarionetteError) as e:
        where = ""
        try:
            where = " (at %s)" % ff.url() if ff else ""
        except Exception:
            pass
        print("firefox_journey FAILED after [%s]%s: %s" % ("; ".join(timings), where, e), file=sys.stderr)
        if ff:
            print("firefox log: " + ff.log_tail(), file=sys.stderr)
        return 1
    finally:
        if ff:
            ff.close()
        if server:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
