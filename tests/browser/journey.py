#!/usr/bin/python3
"""SealDrop reporter journey in a real headless Chromium with JavaScript OFF.

Drives Debian's chromium over the Chrome DevTools Protocol using only domains
that work without page script (Page, DOM, Input, Network), so forms are filled
and submitted the way a reporter in Tor Browser "Safest" would. Dependencies:
the standard library and Debian's python3-websocket (hence /usr/bin/python3).

  journey.py --base http://127.0.0.1:PORT --out DIR --force MET --what TEXT
             --attach FILE [--attach FILE ...] [--category corruption]
             [--expect-reply TEXT] [--followup TEXT [--followup-attach FILE ...]]
             [--codename "seven words"] [--proxy 127.0.0.1:9050] [--timeout 120]
             [--lang cy]

With --lang cy the journey starts on the English landing page, follows its "Cymraeg" link, and
does everything else in Welsh, under the /cy paths (docs/i18n.md): every page must say
lang="cy" and link back to itself in English.

Prints one JSON line on stdout; exits 0 only if every step and assertion passed.
"""
import argparse, base64, html, json, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.parse

import websocket  # Debian python3-websocket (websocket-client 1.2.3)

CODENAME_RE = re.compile(r"^[a-z]+( [a-z]+){6}$")
JS_PROBE = "data:text/html," + urllib.parse.quote(
    "<p id=x>OFF</p><script>document.getElementById('x').textContent='ON'</script>")


class Fail(Exception):
    pass


def text_of(markup):
    """textContent of Chromium-serialised outerHTML (page JS is off: no innerText)."""
    markup = re.sub(r"(?is)<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", "", markup)
    # Block boundaries become spaces so "<h1>Inbox</h1><p>Hi" reads "Inbox Hi"; inline tags vanish.
    markup = re.sub(r"(?i)</?(p|div|br|li|h[1-6]|article|section|header|footer|main|t[dhr]|form|label"
                    r"|legend|option|button|input|textarea|select)\b[^>]*>", " ", markup)
    markup = re.sub(r"<[^>]*>", "", markup)
    return " ".join(html.unescape(markup).split())


def css_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Browser:
    def __init__(self, proxy, deadline, javascript=False):
        self.deadline = deadline  # monotonic time at which every wait gives up
        self.proc = self.ws = self.session = self.main_frame = self.root = self.doc_status = None
        self.msg_id, self.events, self.redirects = 0, [], []
        self.ud = tempfile.mkdtemp(prefix="sealdrop-journey-")
        try:
            self._launch(proxy, javascript)
        except BaseException:
            self.close()  # the caller never gets this object, so clean up here
            raise

    def _launch(self, proxy, javascript):
        # JS off through the profile's content settings (not --blink-settings):
        # that is the switch Chromium enforces for every frame and navigation.
        # (JS on only for a checker that injects its own script: tests/browser/axe_check.py.)
        os.makedirs(os.path.join(self.ud, "Default"))
        with open(os.path.join(self.ud, "Default", "Preferences"), "w") as f:
            json.dump({"profile": {"default_content_setting_values": {"javascript": 1 if javascript else 2}}}, f)
        args = [shutil.which("chromium") or "/usr/bin/chromium",
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-extensions", "--no-default-browser-check", "--no-pings",
                "--user-data-dir=" + self.ud, "--window-size=1000,1400", "--remote-debugging-port=0",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
        if proxy:
            # Not --proxy-server: with it Chromium's own background requests
            # (accounts.google.com, content-autofill.googleapis.com, DuckDuckGo
            # preconnects...) go to the SOCKS proxy by name, dodging the resolver
            # rule, i.e. out through Tor. This PAC sends only .onion to the proxy
            # (hostname still resolved by the proxy); all else is DIRECT => NOTFOUND.
            pac = ('function FindProxyForURL(url, host) { return shExpMatch(host, "*.onion")'
                   ' ? "SOCKS5 %s" : "DIRECT"; }' % proxy)
            args.append("--proxy-pac-url=data:application/x-ns-proxy-autoconfig;base64,"
                        + base64.b64encode(pac.encode()).decode())
        self.log_path = os.path.join(self.ud, "chrome.log")
        with open(self.log_path, "wb") as log:
            # New session = new process group: the /usr/bin/chromium wrapper, the
            # browser and its helpers can then be killed together by our PID.
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        port_file = os.path.join(self.ud, "DevToolsActivePort")
        while True:
            if self.proc.poll() is not None:
                raise Fail("chromium exited at startup (rc %s): %s" % (self.proc.returncode, self.log_tail()))
            lines = open(port_file).read().split("\n") if os.path.exists(port_file) else []
            if len(lines) >= 2 and lines[1].strip():
                break
            if time.monotonic() > self.deadline:
                raise Fail("chromium did not write DevToolsActivePort in time: " + self.log_tail())
            time.sleep(0.1)
        # suppress_origin: Chromium refuses DevTools websockets that send an Origin.
        self.ws = websocket.create_connection("ws://127.0.0.1:%s%s" % (lines[0].strip(), lines[1].strip()),
                                              timeout=10, suppress_origin=True)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "DOM", "Network"):
            self.send(domain + ".enable")
        self.main_frame = self.send("Page.getFrameTree")["frameTree"]["frame"]["id"]

    def log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-800:].decode(errors="replace")
        except OSError:
            return "(no log)"

    def close(self):
        # Ask politely first: signalling a busy browser can leave crash dumps in
        # ~/.config/chromium/Crash Reports. The group kill below catches stragglers.
        if self.ws:
            try:
                self.session, self.deadline = None, None
                self.send("Browser.close", timeout=5)
                self.ws.close()
            except Exception:
                pass  # the browser often drops the socket before answering
        if self.proc:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)  # whole group: renderers, GPU, zygotes
                    self.proc.wait(5)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
        shutil.rmtree(self.ud, ignore_errors=True)

    # ---- CDP plumbing ---------------------------------------------------------
    def _recv(self, end):
        # The hard timeout is enforced here, between frames, so the websocket is
        # never left half-read and the failure report can still query the page.
        if self.deadline and time.monotonic() > self.deadline:
            raise Fail("hard timeout exceeded (--timeout)")
        self.ws.settimeout(max(0.05, min(1.0, end - time.monotonic())))
        try:
            m = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        p = m.get("params", {})
        if m.get("method") == "Network.responseReceived" and p.get("type") == "Document" \
                and p.get("frameId") == self.main_frame:
            self.doc_status = p["response"]["status"]
        elif m.get("method") == "Network.requestWillBeSent" and p.get("redirectResponse") \
                and p.get("type") == "Document":
            self.redirects.append((p["redirectResponse"]["status"], p["request"]["url"]))
        return m

    def send(self, method, params=None, timeout=30):
        self.msg_id += 1
        msg = {"id": self.msg_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = self._recv(end)
            if m and m.get("id") == self.msg_id:
                if "error" in m:
                    raise Fail("CDP %s failed: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            if m and "method" in m:
                self.events.append(m)
        raise Fail("CDP %s: no answer in %d s" % (method, timeout))

    def wait_event(self, method, timeout, pred=lambda p: True):
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method and e.get("sessionId") == self.session and pred(e["params"]):
                    del self.events[:i + 1]
                    return e["params"]
            if time.monotonic() >= end:
                raise Fail("no %s within %d s (page did not load)" % (method, timeout))
            m = self._recv(end)
            if m and "method" in m:
                self.events.append(m)

    # ---- navigation -----------------------------------------------------------
    def _begin(self):
        self.events.clear()
        self.doc_status, self.redirects = None, []

    def _settle(self, timeout):
        # Main-frame commit, then its load event. Redirects never commit, so after
        # a 303 this lands on the target. Node ids are per document: refetch root.
        self.wait_event("Page.frameNavigated", timeout, lambda p: p["frame"]["id"] == self.main_frame)
        self.wait_event("Page.loadEventFired", timeout)
        self.root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]

    def navigate(self, url, timeout=45):
        self._begin()
        r = self.send("Page.navigate", {"url": url}, timeout)
        if r.get("errorText"):
            raise Fail("navigation to %s failed: %s" % (url, r["errorText"]))
        self._settle(timeout)

    def click_and_wait(self, selector, timeout=60):
        node = self.q(selector, required=True)
        self._begin()
        self.click(node)
        self._settle(timeout)

    def url(self, timeout=30):
        h = self.send("Page.getNavigationHistory", timeout=timeout)
        e = h["entries"][h["currentIndex"]]
        return e["url"], e["title"]

    # ---- DOM and input (no page script involved) ------------------------------
    def q(self, selector, required=False):
        node = self.send("DOM.querySelector", {"nodeId": self.root, "selector": selector})["nodeId"]
        if required and not node:
            raise Fail("no element matches %s" % selector)
        return node

    def qall(self, selector):
        return self.send("DOM.querySelectorAll", {"nodeId": self.root, "selector": selector})["nodeIds"]

    def text(self, node):
        return text_of(self.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"])

    def attrs(self, node):
        a = self.send("DOM.getAttributes", {"nodeId": node})["attributes"]
        return dict(zip(a[0::2], a[1::2]))

    def click(self, node):
        self.send("DOM.scrollIntoViewIfNeeded", {"nodeId": node})
        quad = self.send("DOM.getBoxModel", {"nodeId": node})["model"]["border"]  # viewport coords
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "clickCount": 1,
                                                   "button": "none" if kind == "mouseMoved" else "left"})

    def type_into(self, selector, text):
        self.send("DOM.focus", {"nodeId": self.q(selector, required=True)})
        self.send("Input.insertText", {"text": text})

    def set_files(self, node, paths):
        self.send("DOM.setFileInputFiles", {"nodeId": node, "files": [os.path.abspath(p) for p in paths]})

    def choose_radio(self, form, name, value):
        sel = "%s input[type=radio][name=%s][value=%s]" % (form, css_str(name), css_str(value))
        node = self.q(sel, required=True)
        try:
            self.click(node)
        except Fail:
            pass  # no box (visually hidden input): the label click below covers it
        # :checked matches live checkedness, which attributes don't show.
        if not self.q(sel + ":checked"):
            ident = self.attrs(node).get("id")
            label = ident and self.q("label[for=%s]" % css_str(ident))
            if label:
                self.click(label)
        if not self.q(sel + ":checked"):
            raise Fail("radio %s=%s is not checked after clicking it (and its label)" % (name, value))

    def choose_option(self, select_sel, value):
        """Pick an <option> as a keyboard user does: focus the closed <select> and
        press ArrowDown/ArrowUp until it shows the value. On Linux a closed select
        changes value on arrow keys (no popup); option:checked tracks the live
        selectedness, so each step is verified without page script."""
        values = [self.attrs(n).get("value") for n in self.qall(select_sel + " option")]
        if value not in values:
            raise Fail("%s has no option with value %r (has %s)" % (select_sel, value, values))
        self.send("DOM.focus", {"nodeId": self.q(select_sel, required=True)})

        def current():
            n = self.q(select_sel + " option:checked")
            return self.attrs(n).get("value") if n else None

        for _ in range(len(values)):
            now = current()
            if now == value:
                return
            key, code = ("ArrowDown", 40) if now not in values or \
                values.index(value) > values.index(now) else ("ArrowUp", 38)
            for kind in ("keyDown", "keyUp"):
                self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": key,
                                                     "windowsVirtualKeyCode": code})
            if current() == now:
                break  # stuck: disabled option, or a build that opens a popup instead
        raise Fail("%s: arrow keys did not reach %r (shows %r)" % (select_sel, value, current()))

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, 60)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))
        return path

    def describe(self):
        """Where the browser is, for failure messages; has its own short deadline."""
        self.deadline = time.monotonic() + 6
        try:
            for attempt in range(10):
                try:
                    url, title = self.url(5)
                    self.root = self.send("DOM.getDocument", {"depth": 0}, 5)["root"]["nodeId"]
                    body = self.q("body")
                    excerpt = self.text(body) if body else ""
                    return "  url: %s (HTTP %s)\n  title: %s\n  text: %s" % (url, self.doc_status, title, excerpt[:400])
                except Fail:  # an error page still committing answers "Not attached" for a moment
                    if attempt == 9:
                        raise
                    time.sleep(0.2)
        except Exception as e:  # the browser may be what broke
            return "  (could not read page state: %s)" % e


def expect_page(b, path, marker, what):
    url = b.url()[0]
    if path and urllib.parse.urlsplit(url).path != path:
        raise Fail("%s: expected to be on %s, got %s" % (what, path, url))
    if b.doc_status != 200:
        raise Fail("%s: expected HTTP 200, got %s" % (what, b.doc_status))
    if marker and not b.q(marker):
        raise Fail("%s: page has no %s" % (what, marker))


def expect_language(b, a, what):
    """The page is in the journey's language and links to the same page in the other one."""
    path = urllib.parse.urlsplit(b.url()[0]).path
    html_lang = b.attrs(b.q("html", required=True)).get("lang")
    want = "cy" if a.lang == "cy" else "en-GB"
    if html_lang != want:
        raise Fail("%s: <html lang=%r>, expected %r" % (what, html_lang, want))
    other = "en" if a.lang == "cy" else "cy"
    node = b.q('a#language-switch[hreflang="%s"][lang="%s"]' % (other, other))
    if not node:
        raise Fail("%s: no language switch link to %s" % (what, other))
    name = b.text(node)
    # A switch that opens a new tab (a page that cannot be shown again) says so after the name.
    if not name.startswith("English" if other == "en" else "Cymraeg"):
        raise Fail("%s: the language switch reads %r" % (what, name))
    return b.attrs(node).get("href"), path


def journey(b, a, step, result):
    base, shots = a.base.rstrip("/"), result["screenshots"]
    P = "/cy" if a.lang == "cy" else ""  # every local path's prefix in the journey's language

    def local(path):
        return P + path

    step[0] = "0 JS-off probe"
    b.navigate(JS_PROBE)
    probe = b.text(b.q("#x", required=True))
    if probe != "OFF":
        raise Fail("JavaScript is ON in this Chromium (probe read %r); refusing to test" % probe)

    if not a.codename:
        step[0] = "1 landing page"
        b.navigate(base + "/")
        expect_page(b, "/", 'a[href="/report"]', "landing")
        if a.lang == "cy":
            step[0] = "1a the Cymraeg link"
            if b.attrs(b.q("html", required=True)).get("lang") != "en-GB":
                raise Fail("the English landing page is not lang=en-GB")
            b.click_and_wait('a#language-switch[href="/cy/"][hreflang="cy"][lang="cy"]')
            expect_page(b, "/cy/", 'a[href="/cy/report"]', "Welsh landing")
        switch, _ = expect_language(b, a, "landing")
        if switch != ("/" if a.lang == "cy" else "/cy/"):
            raise Fail("landing: the language switch goes to %r" % switch)
        shots.append(b.screenshot(os.path.join(a.out, "landing.png")))

        step[0] = "1b guidance, notice and statement pages"
        b.q('a#exit-this-page[href^="https://"]', required=True)
        if b.q("#tor-warning"):  # loopback without an onion configured, or the real onion
            raise Fail("landing: the not-through-Tor warning is shown")
        for path, shot in (("/tor", "tor"), ("/device-safety", "device-safety"),
                           ("/privacy", "privacy"), ("/accessibility", "accessibility")):
            # The footer's links, as a reader would.
            b.click_and_wait('footer a[href="%s"]' % local(path))
            expect_page(b, local(path), "a#exit-this-page", path)
            switch, _ = expect_language(b, a, path)
            if switch != (path if a.lang == "cy" else "/cy" + path):
                raise Fail("%s: the language switch goes to %r" % (path, switch))
            shots.append(b.screenshot(os.path.join(a.out, shot + ".png")))
        b.navigate(base + local("/"))

        step[0] = "2a report form with a problem"
        b.click_and_wait('a[href="%s"]' % local("/report"))  # follow the link, as a reader would
        form = 'form[action="%s"][method="post"][enctype="multipart/form-data"]' % local("/report")
        expect_page(b, local("/report"), form, "report form")
        expect_language(b, a, "report form")
        # "What happened?" only blank (it is required, so the browser sends spaces): the form
        # comes back, in the same language, the problem summarised and linked, the words kept.
        typed = "PC Prawf" if a.lang == "cy" else "PC Test"
        b.type_into(form + ' input[name="subject_name"]', typed)
        b.type_into(form + ' textarea[name="what"]', "   ")
        b.click_and_wait(form + " button[type=submit]")
        if b.doc_status != 400:
            raise Fail("a blank 'what happened' was answered with HTTP %s, not 400" % b.doc_status)
        summary = b.q(".error-summary", required=True)
        heading = "Mae problem wedi codi" if a.lang == "cy" else "There is a problem"
        if heading not in b.text(summary) or not b.q('.error-summary a[href="#what"]'):
            raise Fail("the refused form has no linked summary %r: %r" % (heading, b.text(summary)))
        if b.attrs(b.q(form + ' input[name="subject_name"]', required=True)).get("value") != typed:
            raise Fail("the refused form lost the words typed")
        expect_language(b, a, "refused report form")
        shots.append(b.screenshot(os.path.join(a.out, "form-problem.png")))

        step[0] = "2 report form"
        b.navigate(base + local("/report"))
        expect_page(b, local("/report"), form, "report form")
        b.q(form + ' input[type=hidden][name="csrf"]', required=True)
        b.choose_option(form + ' select[name="force"]', a.force)
        for name, value in (("category", a.category), ("role", "staff"), ("duty", "on"),
                            ("setting", "in_person"), ("at_risk", "no")):
            b.choose_radio(form, name, value)
        b.type_into(form + ' textarea[name="what"]', a.what)
        if not b.q(form + ' input[name="contact"][value="anonymous"]:checked'):
            raise Fail("contact=anonymous is not checked by default")
        files = b.qall(form + ' input[type=file][name="file"]')
        if len(files) != 3:
            raise Fail("expected 3 file inputs, found %d" % len(files))
        b.set_files(files[0], a.attach)
        shots.append(b.screenshot(os.path.join(a.out, "form.png")))

        step[0] = "3 submit report, codename page"
        b.click_and_wait(form + " button[type=submit]", timeout=90)
        expect_page(b, local("/report"), "#codename", "codename page")
        expect_language(b, a, "codename page")
        if b.attrs(b.q("a#language-switch", required=True)).get("target") != "_blank":
            raise Fail("codename page: the language switch does not open a new tab")
        received = b.text(b.q("#received", required=True))
        want_received = ("Eich adroddiad, gydag un ffeil." if a.lang == "cy" else
                         "Your report, with 1 file.") if len(a.attach) == 1 else None
        if want_received and want_received not in received:
            raise Fail("codename page: 'what we received' reads %r" % received)
        a.codename = result["codename"] = b.text(b.q("#codename"))
        if not CODENAME_RE.match(a.codename):
            raise Fail("#codename text %r is not seven lowercase words" % a.codename)
        shots.append(b.screenshot(os.path.join(a.out, "codename.png")))

    step[0] = "4 login"
    b.navigate(base + local("/login"))
    form = 'form[action="%s"][method="post"]' % local("/login")
    expect_page(b, local("/login"), form, "login page")
    expect_language(b, a, "login page")
    shots.append(b.screenshot(os.path.join(a.out, "login.png")))
    b.q(form + ' input[type=hidden][name="csrf"]', required=True)
    b.type_into(form + ' input[name="codename"]', a.codename)
    b.click_and_wait(form + " [type=submit]")
    if not any(status == 303 for status, _ in b.redirects):
        raise Fail("login POST was not answered with a 303 redirect (redirects seen: %s)" % b.redirects)

    step[0] = "5 inbox"
    expect_page(b, local("/inbox"), "#inbox", "inbox")
    expect_language(b, a, "inbox")
    replies = [b.text(n) for n in b.qall("article.reply")]
    result["replies"] = len(replies)
    shots.append(b.screenshot(os.path.join(a.out, "inbox.png")))
    if a.expect_reply is not None:
        want = " ".join(a.expect_reply.split())
        result["reply_found"] = any(want in r for r in replies)
        if not result["reply_found"]:
            raise Fail("no article.reply contains %r (%d replies: %s)" % (want, len(replies), [r[:160] for r in replies]))

    if a.followup is not None:
        step[0] = "6 follow-up"
        form = ('form[action="%s"][method="post"][enctype="multipart/form-data"]'
                % local("/followup"))
        b.q(form + ' input[type=hidden][name="csrf"]', required=True)
        b.type_into(form + ' textarea[name="message"]', a.followup)
        if a.followup_attach:
            b.set_files(b.q(form + ' input[type=file][name="file"]', required=True), a.followup_attach)
        b.click_and_wait(form + " button[type=submit]", timeout=90)
        expect_page(b, None, "#followup-sent", "follow-up answer")  # any URL: the server may PRG
        expect_language(b, a, "follow-up answer")
        result["followup_sent"] = True
        shots.append(b.screenshot(os.path.join(a.out, "followup.png")))


def parse_args():
    p = argparse.ArgumentParser(description="SealDrop JS-off browser journey (see module docstring)")
    for opt in ("--base", "--out"):
        p.add_argument(opt, required=True)
    for opt in ("--force", "--what", "--expect-reply", "--followup", "--codename", "--proxy"):
        p.add_argument(opt)
    p.add_argument("--attach", action="append", default=[])
    p.add_argument("--followup-attach", action="append", default=[])
    p.add_argument("--category", default="corruption")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--lang", choices=("en", "cy"), default="en")
    a = p.parse_args()
    if not a.codename and not (a.force and a.what and a.attach):
        p.error("--force, --what and at least one --attach are required unless --codename is given")
    for f in a.attach + a.followup_attach:
        if not os.path.isfile(f):
            p.error("attachment %s does not exist" % f)
    u = urllib.parse.urlsplit(a.base)
    host = (u.hostname or "").lower()
    # Never let a test wander off loopback (or, through a local --proxy, off the onion).
    # Only the literal 127.0.0.1: the resolver rule makes even "localhost" NOTFOUND.
    if u.scheme not in ("http", "https") or not (host == "127.0.0.1" or (a.proxy and host.endswith(".onion"))):
        p.error("--base must be http://127.0.0.1:PORT, or an .onion URL together with --proxy")
    if a.proxy and not re.match(r"^127\.0\.0\.1:\d+$", a.proxy):
        p.error("--proxy must be 127.0.0.1:PORT")
    if a.codename:
        a.codename = " ".join(a.codename.split())
    return a


def main():
    a = parse_args()
    os.makedirs(a.out, exist_ok=True)
    started = time.monotonic()
    step = ["start chromium"]
    result = {"ok": False, "codename": a.codename, "screenshots": [], "reply_found": None, "followup_sent": None}

    def on_signal(signum, _frame):
        raise Fail("hard timeout backstop fired" if signum == signal.SIGALRM else "terminated by signal %d" % signum)

    signal.signal(signal.SIGALRM, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.setitimer(signal.ITIMER_REAL, a.timeout + 15)  # backstop; waits stop at the deadline
    b = None
    try:
        b = Browser(a.proxy, started + a.timeout)
        journey(b, a, step, result)
        result["ok"] = True
    except Exception as e:  # every failure must end in the report below
        signal.setitimer(signal.ITIMER_REAL, 0)
        msg = str(e) if isinstance(e, Fail) else "%s: %s" % (type(e).__name__, e)
        where = b.describe() if b and b.ws else ""
        sys.stderr.write("journey FAILED at step '%s': %s\n%s\n" % (step[0], msg, where))
        result["error"] = "%s: %s" % (step[0], msg)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the cleanup finish
        if b:
            b.close()
    result["seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
