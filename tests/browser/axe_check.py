#!/usr/bin/python3
"""Accessibility, proven: axe-core and Chromium's accessibility tree over every page of the source
interface and every error state, against the real server.

One server (with its force API, so that a real reply can be pushed with sealdrop-transfer and
sealdrop-console), one headless Chromium. Each page is reached as a reporter reaches it (links,
forms, a reload, a lost cookie), then checked at 1280 px and 390 px wide:
  - axe-core (tests/browser/axe: the npm package pinned by version and integrity, installed by
    ./scripts/install-deps with `npm ci`; never fetched here): 0 violations, each printed with
    its rule id, impact, target and page;
  - Chromium's accessibility tree: every link, button, text box, combo box, check box, radio
    and file input has a name; exactly one h1; heading levels never skip (an h2 may come before
    the h1, as GOV.UK's error summary does);
  - the page as served has no <script> and the expected <html lang>.
JavaScript is on in this Chromium only so that the checker can run: axe is injected through the
DevTools protocol with Page.setBypassCSP, and the pages themselves carry no script.

  axe_check.py --server BIN --console BIN --transfer BIN [--lang en|cy] [--artefacts DIR]
--lang cy checks the Welsh pages under /cy (<html lang="cy">). With --artefacts, a screenshot of
every page at each width is left there (LANG-NN-PAGE-WIDTH.png). Exit 0 only when every page passed.
"""
import argparse, json, os, re, shutil, sys, tempfile, time, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from browser_test import make_instance, start_server  # noqa: E402
from force_side import push_reply  # noqa: E402
from journey import Browser, Fail  # noqa: E402

AXE = os.path.join(HERE, "axe", "node_modules", "axe-core", "axe.min.js")
PINNED = os.path.join(HERE, "axe", "package.json")
WIDTHS = (390, 1280)  # ends wide: the reporter's steps between checks are taken at 1280 px
LANGS = {"en": ("", "en"), "cy": ("/cy", "cy")}  # path prefix, <html lang> starts with
# Roles of the controls that must have an accessible name (a file input is a button in Chromium's tree).
CONTROLS = {"link", "button", "textbox", "combobox", "checkbox", "radio", "searchbox", "spinbutton",
            "listbox", "slider", "switch", "menuitem", "tab"}
FILE_BUTTON_TEXT = {"Choose File", "Choose Files", "No file chosen", "No files chosen"}
REPORT = 'form[action$="/report"][method="post"]'
FOLLOWUP = 'form[action$="/followup"][method="post"]'
LOGIN = 'form[action$="/login"][method="post"]'
# axe's default rules (WCAG 2.0/2.1 A and AA, best practices), and WCAG 2.2 AA's target size, which
# axe leaves off by default: the accessibility statement claims WCAG 2.2 AA.
RUN_AXE = """axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))"""


def load_axe():
    try:
        with open(PINNED) as f:
            want = json.load(f)["dependencies"]["axe-core"]
        with open(os.path.join(os.path.dirname(AXE), "package.json")) as f:
            have = json.load(f)["version"]
        with open(AXE) as f:
            source = f.read()
    except OSError as e:
        raise Fail("axe-core is not installed (%s): run ./scripts/install-deps, which runs "
                   "`npm ci` in tests/browser/axe" % e.filename)
    if have != want:
        raise Fail("axe-core %s is installed but %s is pinned: run ./scripts/install-deps" % (have, want))
    return source, have


class Checker:
    def __init__(self, b, lang, artefacts=None):
        self.b, self.lang, self.artefacts = b, lang, artefacts
        self.pages, self.problems = [], []

    def check(self, page):
        """Checks the page the browser shows now, at each width."""
        b, t0 = self.b, time.monotonic()
        html = b.q("html", required=True)
        lang = b.attrs(html).get("lang", "")
        if not lang.startswith(self.lang):
            self.problems.append("%s: <html lang=%r>, expected %s" % (page, lang, self.lang))
        if b.qall("script"):
            self.problems.append("%s: the page has a <script> element" % page)
        for width in WIDTHS:
            b.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900,
                                                          "deviceScaleFactor": 1, "mobile": width < 600})
            where = "%s @%dpx" % (page, width)
            r = b.send("Runtime.evaluate", {"expression": RUN_AXE, "awaitPromise": True,
                                            "returnByValue": True}, 60)
            if "exceptionDetails" in r:
                raise Fail("%s: axe did not run: %s" % (where, r["exceptionDetails"].get("text")))
            for v in r["result"]["value"]:
                for n in v["nodes"]:
                    self.problems.append("%s: axe %s (%s) at %s: %s" % (where, v["id"], v["impact"],
                                                                        n["target"], v["help"]))
            self.problems += ["%s: %s" % (where, p) for p in self.tree_problems()]
            if self.artefacts and not page.startswith("("):
                slug = re.sub(r"[^a-z0-9]+", "-", page.lower()).strip("-")
                b.screenshot(os.path.join(self.artefacts, "%s-%02d-%s-%d.png" % (
                    self.lang, len(self.pages) + 1, slug, width)))
        self.pages.append(page)
        print("axe_check: %-45s %.1f s" % (page, time.monotonic() - t0), flush=True)

    def tree_problems(self):
        nodes = self.b.send("Accessibility.getFullAXTree", {}, 60)["nodes"]
        by_id = {n["nodeId"]: n for n in nodes}
        ordered, stack = [], [nodes[0]["nodeId"]]  # the document, then depth first in DOM order
        while stack:
            n = by_id.get(stack.pop())
            if n:
                ordered.append(n)
                stack.extend(reversed(n.get("childIds", [])))
        # A file input without a label still gets a name in the tree: its button's own text.
        files = {self.b.send("DOM.describeNode", {"nodeId": f})["node"]["backendNodeId"]
                 for f in self.b.qall("input[type=file]")}
        problems, h1s, previous = [], 0, 1
        for n in ordered:
            if n.get("ignored"):
                continue
            role = n.get("role", {}).get("value", "")
            name = str(n.get("name", {}).get("value", "")).strip()
            if n.get("backendDOMNodeId") in files and name in FILE_BUTTON_TEXT:
                name = ""
            if role in CONTROLS and not name:
                problems.append("tree: a %s has no name (DOM node %s)" % (role, n.get("backendDOMNodeId")))
            if role == "heading":
                level = next((p["value"]["value"] for p in n.get("properties", [])
                              if p["name"] == "level"), 0)
                h1s += level == 1
                if level > previous + 1:
                    problems.append("tree: heading %r is h%d after h%d" % (name[:40], level, previous))
                previous = level
        if h1s != 1:
            problems.append("tree: %d h1 headings, expected exactly 1" % h1s)
        return problems


def self_test(b, c):
    """The checker must see what it is there to find: a page with known faults fails."""
    tiny = "<button style='all:unset;font-size:8px'>%s</button>"
    bad = ("<!DOCTYPE html><html lang=%s><title>t</title><main><h1>One</h1><h1>Two</h1><h3>Skip</h3>"
           "<img src=x.png><input type=text><a href=/x></a><p style='color:#bbb'>faint</p>"
           "<p>%s%s</p><input type=file></main>" % (c.lang, tiny % "a", tiny % "b"))
    b.navigate("data:text/html," + urllib.parse.quote(bad))
    c.check("(self-test: a page with known faults)")
    found = " ".join(c.problems)
    missing = [what for what in ("image-alt", "label", "color-contrast", "link-name", "target-size",
                                 "a textbox has no name", "a link has no name",
                                 "a button has no name", "2 h1 headings", "is h3 after h1")
               if what not in found]
    if missing:
        raise Fail("the checker did not find %s on a page made to have them: %s" % (missing, c.problems))
    c.problems, c.pages = [], []


def submit(b, form):
    b.click_and_wait(form + " button[type=submit]", timeout=90)


def expect(b, selector, what):
    if not b.q(selector):
        raise Fail("%s: the page has no %s (HTTP %s)" % (what, selector, b.doc_status))


def drop_attribute(b, selector, name):
    """A check the browser does itself (required, maxlength) is taken off so that the server's own
    answer to the bad form can be checked."""
    b.send("DOM.removeAttribute", {"nodeId": b.q(selector, required=True), "name": name})


def visit(b, c, base, prefix, work, a):
    p = base + prefix
    b.navigate(p + "/")
    c.check("landing")
    b.send("Network.setExtraHTTPHeaders", {"headers": {"X-Tor2web": "1"}})
    b.navigate(p + "/")
    expect(b, "#tor-warning", "landing through a Tor2web gateway")
    c.check("landing with the not-through-Tor warning")
    b.send("Network.setExtraHTTPHeaders", {"headers": {}})
    for path in ("/tor", "/device-safety", "/privacy", "/accessibility"):
        b.navigate(p + path)
        c.check(path)
    b.navigate(p + "/no-such-page")
    if b.doc_status != 404:
        raise Fail("/no-such-page answered HTTP %s" % b.doc_status)
    c.check("404 page")

    b.navigate(p + "/report")
    c.check("report form")
    # Each refused form: the form again with the error summary at the top.
    b.navigate(p + "/report")
    drop_attribute(b, REPORT + ' textarea[name="what"]', "required")
    submit(b, REPORT)
    expect(b, "#what-error", "report with 'what happened' empty")
    c.check("report form: what happened empty")
    b.navigate(p + "/report")
    b.type_into(REPORT + ' textarea[name="what"]', "An answer that is too long.")
    drop_attribute(b, REPORT + ' input[name="subject_name"]', "maxlength")
    b.type_into(REPORT + ' input[name="subject_name"]', "x" * 300)
    submit(b, REPORT)
    expect(b, ".error-summary", "report with a too-long answer")
    c.check("report form: an answer too long")
    big = os.path.join(work, "too big.mp4")
    with open(big, "wb") as f:
        f.write(os.urandom(1536 << 10))  # the server runs with --max-upload-mb 1
    b.navigate(p + "/report")
    b.type_into(REPORT + ' textarea[name="what"]', "With a file over the limit.")
    b.set_files(b.q(REPORT + ' input[type=file][name="file"]', required=True), [big])
    submit(b, REPORT)
    expect(b, '.error-summary a[href="#file-1"]', "report with a file over the limit")
    c.check("report form: file too large")
    badly_named = os.path.join(work, "control\x01character.txt")  # refused: a control character
    with open(badly_named, "w") as f:
        f.write("a file whose name the server refuses\n")
    b.navigate(p + "/report")
    b.type_into(REPORT + ' textarea[name="what"]', "With a file the server cannot name.")
    b.set_files(b.q(REPORT + ' input[type=file][name="file"]', required=True), [badly_named])
    submit(b, REPORT)
    expect(b, "#file-1-error", "report with a file name the server refuses")
    c.check("report form: file name refused")
    b.navigate(p + "/report")
    b.type_into(REPORT + ' textarea[name="what"]', "Sent after the form's cookie was lost.")
    b.send("Network.deleteCookies", {"name": "sd_form", "url": base + "/"})
    submit(b, REPORT)
    expect(b, ".error-summary", "report whose form expired")
    c.check("report form: form expired")

    evidence = os.path.join(work, "evidence.txt")
    with open(evidence, "w") as f:
        f.write("evidence for the accessibility check\n")
    b.navigate(p + "/report")
    b.choose_option(REPORT + ' select[name="force"]', "MET")
    b.choose_radio(REPORT, "contact", "details")
    b.type_into(REPORT + ' input[name="contact_phone"]', "07700 900123")
    b.type_into(REPORT + ' textarea[name="what"]', "The accessibility check's report.")
    b.set_files(b.q(REPORT + ' input[type=file][name="file"]', required=True), [evidence])
    submit(b, REPORT)
    expect(b, "#codename", "report sent")
    codename = b.text(b.q("#codename"))
    c.check("codename page")
    b._begin()
    b.send("Page.reload", {"ignoreCache": True})
    b._settle(60)
    expect(b, "#already-received", "codename page reloaded")
    c.check("already received (the form sent twice)")

    b.navigate(p + "/login")
    c.check("login")
    b.type_into(LOGIN + ' input[name="codename"]', "these seven words are not a codename")
    submit(b, LOGIN)
    expect(b, ".error-summary", "login with a wrong codename")
    c.check("login: codename not recognised")
    b.navigate(p + "/login")
    b.type_into(LOGIN + ' input[name="codename"]', codename)
    submit(b, LOGIN)
    expect(b, "#inbox", "login")
    c.check("inbox, no replies")

    t0 = time.monotonic()
    push_reply(a.console, a.transfer, work, a.force_api, "MET",
               "Thank you. Could you tell us which station?")
    print("axe_check: reply pulled, sealed and pushed with the real tools in %.1f s"
          % (time.monotonic() - t0), flush=True)
    b.navigate(p + "/inbox")
    expect(b, "article.reply", "inbox after the reply was pushed")
    c.check("inbox with a reply")
    submit(b, FOLLOWUP)
    expect(b, "#message-error", "empty follow-up")
    c.check("inbox: follow-up empty")
    b.type_into(FOLLOWUP + ' textarea[name="message"]', "Bridge Street station.")
    submit(b, FOLLOWUP)
    expect(b, "#followup-sent", "follow-up sent")
    c.check("follow-up sent")
    b.navigate(p + "/inbox")
    submit(b, 'form#delete-replies')
    expect(b, "#replies-deleted", "replies deleted")
    c.check("replies deleted")

    b.navigate(p + "/inbox")
    b.type_into(FOLLOWUP + ' textarea[name="message"]', "Written as the login ended.")
    b.send("Network.deleteCookies", {"name": "sd_session", "url": base + "/"})
    submit(b, FOLLOWUP)
    expect(b, FOLLOWUP + ' input[name="codename"]', "follow-up after the login ended")
    c.check("follow-up after the login ended")
    b.type_into(FOLLOWUP + ' input[name="codename"]', "these seven words are not a codename")
    submit(b, FOLLOWUP)
    expect(b, ".error-summary", "follow-up with a wrong codename")
    c.check("follow-up: codename not recognised")

    b.navigate(p + "/login")
    b.type_into(LOGIN + ' input[name="codename"]', codename)
    submit(b, LOGIN)
    b.click_and_wait('form[action$="/logout"] button[type=submit]')
    c.check("after logging out")


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--server", "--console", "--transfer"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--lang", choices=sorted(LANGS), default="en")
    ap.add_argument("--artefacts")
    a = ap.parse_args()
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="sealdrop-axe-")
    server = b = None
    c = None
    step = "start"
    try:
        source, version = load_axe()
        if not shutil.which("chromium"):
            raise Fail("chromium is not installed (./scripts/install-deps installs it)")
        make_instance(a.console, work)
        server, base = start_server(a.server, work, os.path.join(work, "data"),
                                    ["--force-listen", "127.0.0.1:0", "--max-upload-mb", "1"])
        a.force_api = server.force_api
        b = Browser(None, time.monotonic() + 600, javascript=True)
        b.send("Page.setBypassCSP", {"enabled": True})
        b.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        prefix, lang = LANGS[a.lang]
        if a.artefacts:
            os.makedirs(a.artefacts, exist_ok=True)
        c = Checker(b, lang, a.artefacts)
        step = "self-test"
        self_test(b, c)
        print("axe_check: ready after %.0f s (instance, server, browser)" % (time.monotonic() - started))
        step = "pages"
        visit(b, c, base, prefix, work, a)
        took = time.monotonic() - started
        if c.problems:
            print("axe_check FAILED: %d problems on %d pages (axe-core %s, %s):"
                  % (len(c.problems), len(c.pages), version, a.lang), file=sys.stderr)
            for p in c.problems:
                print("  " + p, file=sys.stderr)
            return 1
        print("axe_check: %d pages and error states x %d widths, 0 violations, every control named, "
              "headings in order (axe-core %s, %s) in %.0f s" % (len(c.pages), len(WIDTHS), version,
                                                                  a.lang, took))
        return 0
    except Fail as e:
        where = b.describe() if b and b.ws else ""
        print("axe_check FAILED at %s (after %s): %s\n%s" % (step, c.pages[-1] if c and c.pages
                                                            else "no page", e, where), file=sys.stderr)
        if c and c.problems:
            print("problems found before that:\n  " + "\n  ".join(c.problems), file=sys.stderr)
        return 1
    finally:
        if b:
            b.close()
        if server:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
