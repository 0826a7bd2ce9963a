#!/usr/bin/python3
"""A small Marionette client: Firefox ESR (Gecko, Tor Browser's engine) driven without geckodriver.

Marionette's wire format is `LENGTH:JSON` over TCP on 127.0.0.1. A command is
[0, id, "WebDriver:Name", params]; its answer is [1, id, error, result]. Firefox runs headless
with a fresh profile whose user.js switches JavaScript off, resists fingerprinting as Tor Browser
does, and stops every connection of its own (updates, telemetry, safe browsing, remote settings,
captive-portal and connectivity checks, prefetching): anything not for 127.0.0.1 goes to a
proxy on a closed loopback port, so nothing can leave the machine. Only the standard library.
"""
import base64, json, os, shutil, signal, socket, subprocess, tempfile, time

# WebDriver's element key in answers (a "web element reference").
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

PREFS = {
    # What the test is about: Tor Browser at "Safest".
    "javascript.enabled": False,
    "privacy.resistFingerprinting": True,
    # Marionette on a port Firefox picks; it writes it to MarionetteActivePort in the profile.
    "marionette.port": 0,
    # Nothing of Firefox's own may leave the machine: every proxied request goes to a closed
    # loopback port (localhost itself is never proxied), and each background service is off.
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1", "network.proxy.http_port": 1,
    "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": 1,
    "network.proxy.socks": "127.0.0.1", "network.proxy.socks_port": 1,
    "network.proxy.socks_remote_dns": True,
    "network.proxy.no_proxies_on": "127.0.0.1",
    "network.proxy.allow_hijacking_localhost": False,
    "network.trr.mode": 5,
    "network.dns.disabled": True,  # as Tor Browser sets it: IP literals only, no resolver query
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "app.update.enabled": False, "app.update.auto": False, "app.update.disabledForTesting": True,
    "app.normandy.enabled": False, "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False, "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False, "toolkit.telemetry.server": "",
    "browser.ping-centre.telemetry": False,
    "browser.safebrowsing.malware.enabled": False, "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False, "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "services.settings.server": "http://127.0.0.1:1/",
    "extensions.update.enabled": False, "extensions.getAddons.cache.enabled": False,
    "extensions.systemAddon.update.enabled": False, "extensions.blocklist.enabled": False,
    "browser.search.update": False, "browser.search.geoip.url": "",
    "geo.enabled": False, "geo.provider.network.url": "",
    "media.gmp-manager.url": "", "media.gmp-gmpopenh264.enabled": False,
    "browser.newtabpage.enabled": False, "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank", "browser.startup.homepage_override.mstone": "ignore",
    "browser.shell.checkDefaultBrowser": False, "browser.aboutwelcome.enabled": False,
    "browser.topsites.contile.enabled": False,
    "browser.newtabpage.activity-stream.feeds.topsites": False,
    "browser.newtabpage.activity-stream.feeds.section.topstories": False,
    "browser.contentblocking.report.monitor.enabled": False,
    "browser.region.network.url": "", "browser.region.update.enabled": False,
    "identity.fxaccounts.enabled": False,
    "dom.push.enabled": False, "dom.push.connection.enabled": False,
    "security.OCSP.enabled": 0, "security.remote_settings.crlite_filters.enabled": False,
    "security.remote_settings.intermediates.enabled": False,
    "privacy.query_stripping.enabled": False,
    "toolkit.startup.max_resumed_crashes": -1,
    "browser.tabs.remote.autostart": True,
}


class MarionetteError(Exception):
    pass


def _pref_line(name, value):
    return "user_pref(%s, %s);\n" % (json.dumps(name), json.dumps(value))


class Firefox:
    """Headless Firefox ESR on a fresh profile, one Marionette session. close() stops it by PID."""

    def __init__(self, deadline, binary=None, width=1000, height=1400):
        self.deadline = deadline
        self.proc = self.sock = None
        self.msg_id = 0
        self.profile = tempfile.mkdtemp(prefix="sealdrop-firefox-")
        try:
            self._launch(binary or shutil.which("firefox-esr") or "/usr/bin/firefox-esr", width, height)
        except BaseException:
            self.close()
            raise

    def _launch(self, binary, width, height):
        with open(os.path.join(self.profile, "user.js"), "w") as f:
            for name, value in PREFS.items():
                f.write(_pref_line(name, value))
        self.log_path = os.path.join(self.profile, "firefox.log")
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1",
                   MOZ_DISABLE_AUTO_SAFE_MODE="1", HOME=self.profile)
        env.pop("DISPLAY", None)
        with open(self.log_path, "wb") as log:
            # Its own session (process group): the browser and its content processes stop together.
            self.proc = subprocess.Popen(
                # System access: prefs() reads the live prefs in the chrome context.
                [binary, "--headless", "--marionette", "-remote-allow-system-access",
                 "--no-remote", "--new-instance",
                 "--profile", self.profile, "--width", str(width), "--height", str(height),
                 "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
        port_file = os.path.join(self.profile, "MarionetteActivePort")
        while True:
            if self.proc.poll() is not None:
                raise MarionetteError("firefox exited at startup (rc %s): %s"
                                      % (self.proc.returncode, self.log_tail()))
            port = open(port_file).read().strip() if os.path.exists(port_file) else ""
            if port.isdigit():
                break
            if time.monotonic() > self.deadline:
                raise MarionetteError("firefox did not open Marionette in time: " + self.log_tail())
            time.sleep(0.1)
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise MarionetteError("unexpected Marionette greeting: %r" % hello)
        caps = self.send("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {
            "acceptInsecureCerts": False, "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 60000, "implicit": 0, "script": 10000}}}})
        self.version = caps.get("capabilities", {}).get("browserVersion", "?")

    def log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-800:].decode(errors="replace")
        except OSError:
            return "(no log)"

    # ---- wire ------------------------------------------------------------------
    def _read(self):
        buf = b""
        while b":" not in buf:
            chunk = self.sock.recv(1)
            if not chunk:
                raise MarionetteError("Marionette closed the connection")
            buf += chunk
        length, rest = buf.split(b":", 1)
        want = int(length)
        data = rest
        while len(data) < want:
            chunk = self.sock.recv(want - len(data))
            if not chunk:
                raise MarionetteError("Marionette closed the connection mid-message")
            data += chunk
        return json.loads(data)

    def send(self, command, params=None, timeout=90):
        if self.deadline and time.monotonic() > self.deadline:
            raise MarionetteError("hard timeout exceeded before %s" % command)
        self.msg_id += 1
        body = json.dumps([0, self.msg_id, command, params or {}]).encode()
        self.sock.settimeout(timeout)
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            msg = self._read()
            if isinstance(msg, list) and len(msg) == 4 and msg[0] == 1 and msg[1] == self.msg_id:
                if msg[2]:
                    err = msg[2]
                    raise MarionetteError("%s: %s: %s" % (command, err.get("error"), err.get("message")))
                result = msg[3]
                return result.get("value", result) if isinstance(result, dict) and \
                    set(result) == {"value"} else result

    # ---- WebDriver commands used by the tests ---------------------------------
    def navigate(self, url):
        self.send("WebDriver:Navigate", {"url": url})

    def url(self):
        return self.send("WebDriver:GetCurrentURL")

    def find(self, css, required=True):
        found = self.send("WebDriver:FindElements", {"using": "css selector", "value": css})
        if not found:
            if required:
                raise MarionetteError("no element matches %s" % css)
            return None
        return found[0][ELEMENT]

    def find_all(self, css):
        return [e[ELEMENT] for e in
                self.send("WebDriver:FindElements", {"using": "css selector", "value": css})]

    def click(self, element):
        self.send("WebDriver:ElementClick", {"id": element})

    def send_keys(self, element, text):
        self.send("WebDriver:ElementSendKeys", {"id": element, "text": text})

    def text(self, element):
        return self.send("WebDriver:GetElementText", {"id": element})

    def attribute(self, element, name):
        return self.send("WebDriver:GetElementAttribute", {"id": element, "name": name})

    def selected(self, element):
        return self.send("WebDriver:IsElementSelected", {"id": element})

    def prefs(self, names):
        """The values Firefox runs with (read in its chrome context, where script is Firefox's own:
        javascript.enabled governs pages only), to show that the profile's user.js took."""
        self.send("Marionette:SetContext", {"value": "chrome"})
        try:
            return self.send("WebDriver:ExecuteScript", {"args": [names], "script": """
              const P = Services.prefs, out = {};
              for (const n of arguments[0]) {
                const t = P.getPrefType(n);
                out[n] = t == P.PREF_BOOL ? P.getBoolPref(n) : t == P.PREF_INT ? P.getIntPref(n)
                       : t == P.PREF_STRING ? P.getStringPref(n) : null;
              }
              return out;"""})
        finally:
            self.send("Marionette:SetContext", {"value": "content"})

    def screenshot(self, path):
        data = self.send("WebDriver:TakeScreenshot", {"full": True, "hash": False})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        # Politely first (Quit needs the session still open), then by our PID's process group.
        if self.sock:
            try:
                self.deadline = None
                self.send("Marionette:Quit", {"flags": ["eForceQuit"]}, timeout=5)
            except Exception:
                pass  # Firefox often drops the socket as it quits
            try:
                self.sock.close()
            except OSError:
                pass
        if self.proc:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(5)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
        shutil.rmtree(self.profile, ignore_errors=True)
