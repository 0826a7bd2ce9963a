#!/usr/bin/python3
"""A reporter never loses their words: headless Chromium with JavaScript OFF, against the real server.

Each case fills the report form as a reporter would, meets a refusal, and checks that the page the
browser shows is the form again with every answer in place, the problem at the top, and (when
files had been chosen) the line saying they must be chosen again; then it sends the form again:

  expired    the form's cookie is gone (as after a form left open past its token's life, or sent
             from another browser): 403, the form again, and then the codename
  too-large  a 2 MiB file against a 1 MiB limit: the server stops reading mid-upload; Chromium
             must still show its 413 page, which is the form again
  busy       the derivation queue is full (one worker, no queue, kept busy by other reporters):
             503, the form again
  twice      the codename page reloaded (the same form POSTed again): "We already have this
             report" (409), and the server holds one report
  logged-out a follow-up sent after the login ended (its session cookie gone): 403, the message
             and answer as typed with a codename field; the codename sends it

  refill_test.py --server BIN --console BIN --artefacts DIR
Exit 0 only when every case passed. Screenshots of each refused form are left in --artefacts.
"""
import argparse, html, os, shutil, sqlite3, sys, tempfile, threading, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from browser_test import make_instance, start_server  # noqa: E402
from journey import Browser, Fail  # noqa: E402

FORM = 'form[action="/report"][method="post"][enctype="multipart/form-data"]'
WHAT = "A long account, written over an evening.\nHe said: \"nobody will believe you\" & <laughed>."


def fill(b, base, attach=None):
    b.navigate(base + "/report")
    b.choose_option(FORM + ' select[name="force"]', "MET")
    b.choose_radio(FORM, "category", "domestic")
    b.choose_radio(FORM, "at_risk", "yes")
    b.choose_radio(FORM, "contact", "details")
    b.type_into(FORM + ' input[name="subject_name"]', "DC Example")
    b.type_into(FORM + ' textarea[name="what"]', WHAT)
    b.type_into(FORM + ' input[name="contact_phone"]', "07700 900123")
    if attach:
        b.set_files(b.qall(FORM + ' input[type=file][name="file"]')[0], [attach])


def value_of(b, selector):
    """A control's value as the page was served (an input's value attribute, a textarea's text),
    read through the DOM domain only: no script runs in these pages."""
    node = b.q(selector, required=True)
    markup = b.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
    if markup.startswith("<textarea"):
        inner = markup[markup.index(">") + 1:markup.rindex("</textarea>")]
        return html.unescape(inner[1:] if inner.startswith("\n") else inner)
    return b.attrs(node).get("value", "")


def expect_filled_in(b, case, status, files_line):
    if b.doc_status != status:
        raise Fail("%s: expected HTTP %d, got %s" % (case, status, b.doc_status))
    if not b.q(".error-summary"):
        raise Fail("%s: no error summary at the top" % case)
    checks = {
        "what": value_of(b, FORM + ' textarea[name="what"]') == WHAT,
        "subject_name": value_of(b, FORM + ' input[name="subject_name"]') == "DC Example",
        "contact_phone": value_of(b, FORM + ' input[name="contact_phone"]') == "07700 900123",
        "category": bool(b.q(FORM + ' input[name="category"][value="domestic"]:checked')),
        "at_risk": bool(b.q(FORM + ' input[name="at_risk"][value="yes"]:checked')),
        "contact": bool(b.q(FORM + ' input[name="contact"][value="details"]:checked')),
        "force": bool(b.q(FORM + ' select[name="force"] option[value="MET"]:checked')),
    }
    lost = [name for name, ok in checks.items() if not ok]
    if lost:
        raise Fail("%s: the form came back without %s" % (case, lost))
    summary = b.text(b.q(".error-summary"))
    if files_line != ("choose them again" in summary):
        raise Fail("%s: the files line is %s: %r" % (case, "missing" if files_line else "unexpected", summary))


def items(data):
    db = sqlite3.connect("file:%s/index.sqlite?mode=ro" % data, uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM items WHERE kind = 'report'").fetchone()[0]
    finally:
        db.close()


def send_and_expect_codename(b, case):
    b.click_and_wait(FORM + " button[type=submit]", timeout=90)
    if b.doc_status != 200 or not b.q("#codename"):
        raise Fail("%s: sending the form again did not give a codename (HTTP %s)" % (case, b.doc_status))


def case_expired(b, base, data, out):
    fill(b, base)
    b.send("Network.deleteCookies", {"name": "sd_form", "url": base + "/"})
    b.click_and_wait(FORM + " button[type=submit]")
    expect_filled_in(b, "expired", 403, files_line=False)
    b.screenshot(os.path.join(out, "refill-expired.png"))
    before = items(data)
    send_and_expect_codename(b, "expired")
    if items(data) != before + 1:
        raise Fail("expired: the second sending did not store one report")


def case_too_large(b, base, out, attach):
    fill(b, base, attach)
    b.click_and_wait(FORM + " button[type=submit]", timeout=90)
    expect_filled_in(b, "too-large", 413, files_line=True)
    if not b.q('.error-summary a[href="#file-1"]'):
        raise Fail("too-large: the problem is not linked to the file field")
    b.screenshot(os.path.join(out, "refill-too-large.png"))


def case_busy(b, base, out):
    """Other reporters keep the one derivation worker busy; ours meets a full queue."""
    stop = threading.Event()

    def reporter():
        while not stop.is_set():
            try:
                page = urllib.request.urlopen(base + "/report", timeout=10)
                html = page.read().decode()
                cookie = page.headers["Set-Cookie"].split(";")[0]
                token = html.split('name="csrf" value="')[1].split('"')[0]
                boundary = "----busy"
                body = "".join('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                               % (boundary, k, v) for k, v in
                               (("csrf", token), ("force", "MET"), ("what", "load"))) + "--%s--\r\n" % boundary
                req = urllib.request.Request(base + "/report", data=body.encode(), headers={
                    "Cookie": cookie, "Content-Type": "multipart/form-data; boundary=" + boundary})
                urllib.request.urlopen(req, timeout=30).read()
            except Exception:
                pass  # a refused load report is expected: the queue is full

    load = [threading.Thread(target=reporter) for _ in range(4)]
    for t in load:
        t.start()
    try:
        for attempt in range(20):
            fill(b, base)
            b.click_and_wait(FORM + " button[type=submit]", timeout=90)
            if b.doc_status == 503:
                expect_filled_in(b, "busy", 503, files_line=False)
                b.screenshot(os.path.join(out, "refill-busy.png"))
                return
        raise Fail("busy: 20 reports in a row found the queue free")
    finally:
        stop.set()
        for t in load:
            t.join()


def case_twice(b, base, data):
    fill(b, base)
    before = items(data)
    send_and_expect_codename(b, "twice")
    codename = b.text(b.q("#codename"))
    b._begin()
    b.send("Page.reload", {"ignoreCache": True})
    b._settle(60)
    if b.doc_status != 409 or "We already have this report" not in b.text(b.q("body", required=True)):
        raise Fail("twice: the reloaded codename page is not 'already received' (HTTP %s)" % b.doc_status)
    if items(data) != before + 1:
        raise Fail("twice: %d reports stored for one form" % (items(data) - before))
    return codename


def case_logged_out(b, base, data, out, codename):
    """A follow-up written while the login ended: it comes back, and the codename sends it."""
    b.navigate(base + "/login")
    b.type_into('form[action="/login"] input[name="codename"]', codename)
    b.click_and_wait('form[action="/login"] [type=submit]')
    form = 'form[action="/followup"]'
    message = "Written slowly, after the session ended.\nSecond line."
    b.type_into(form + ' textarea[name="message"]', message)
    b.choose_radio(form, "at_risk", "yes")
    b.send("Network.deleteCookies", {"name": "sd_session", "url": base + "/"})
    b.click_and_wait(form + " button[type=submit]")
    if b.doc_status != 403 or value_of(b, form + ' textarea[name="message"]') != message \
            or not b.q(form + ' input[name="at_risk"][value="yes"]:checked'):
        raise Fail("logged-out: the follow-up did not come back as typed (HTTP %s)" % b.doc_status)
    b.screenshot(os.path.join(out, "refill-logged-out.png"))
    before = sqlite3.connect("file:%s/index.sqlite?mode=ro" % data, uri=True).execute(
        "SELECT COUNT(*) FROM items WHERE kind = 'followup'").fetchone()[0]
    b.type_into(form + ' input[name="codename"]', codename)
    b.click_and_wait(form + " button[type=submit]", timeout=90)
    if b.doc_status != 200 or not b.q("#followup-sent"):
        raise Fail("logged-out: sending with the codename did not send it (HTTP %s)" % b.doc_status)
    after = sqlite3.connect("file:%s/index.sqlite?mode=ro" % data, uri=True).execute(
        "SELECT COUNT(*) FROM items WHERE kind = 'followup'").fetchone()[0]
    if after != before + 1:
        raise Fail("logged-out: %d follow-ups stored" % (after - before))


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--server", "--console", "--artefacts"):
        ap.add_argument(opt, required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sealdrop-refill-")
    servers, b = [], None
    step = "start"
    try:
        make_instance(a.console, work)
        os.makedirs(a.artefacts, exist_ok=True)
        attach = os.path.join(work, "video.mp4")
        with open(attach, "wb") as f:
            f.write(os.urandom(2 << 20))
        b = Browser(None, time.monotonic() + 600)

        data = os.path.join(work, "data")
        server, base = start_server(a.server, work, data, ["--max-upload-mb", "1"])
        servers.append(server)
        for step, run in (("expired", lambda: case_expired(b, base, data, a.artefacts)),
                          ("too-large", lambda: case_too_large(b, base, a.artefacts, attach))):
            run()
        step = "twice"
        codename = case_twice(b, base, data)
        step = "logged-out"
        case_logged_out(b, base, data, a.artefacts, codename)

        busy_data = os.path.join(work, "busy-data")
        server, base = start_server(a.server, work, busy_data,
                                    ["--kdf-workers", "1", "--kdf-queue", "0"])
        servers.append(server)
        step = "busy"
        case_busy(b, base, a.artefacts)
        print("refill_test: expired, too-large, twice, logged-out and busy passed; screenshots in " + a.artefacts)
        return 0
    except Fail as e:
        where = b.describe() if b and b.ws else ""
        print("refill_test FAILED at %s: %s\n%s" % (step, e, where), file=sys.stderr)
        return 1
    finally:
        if b:
            b.close()
        for s in servers:
            s.kill()
            s.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
