#!/usr/bin/python3
"""The PSD console's web face in headless Chromium with JavaScript OFF, against real binaries.

Makes an instance with the real tools (browser_test.make_instance), starts sealdrop-server with
its force API, files three reports over HTTP (the nightclub's reporter comes back with their
codename and sends a follow-up) and pulls them with sealdrop-transfer onto a
directory standing for the removable media; sealdrop-console's first supervisor "psd" adds an
assessor (officer accounts, key slots: docs/console.md §5); then `sealdrop-console serve --media`
starts on 127.0.0.1:0 and, in Chromium (journey.Browser: DevTools, no page script), psd imports the
pull bundle from the Removable media page (a streamed page with progress in bytes), signs in
again, filters the list, searches, opens a case, triages it, replies, forwards it and views the
statistics, then makes a safe copy of the photo attached to that case and saves it (Chromium's
download lands in the test's temporary directory; exiftool finds no GPS or name in it),
downloads the case archive (plain and sealed: checked with zipfile, its manifest and age -d) and
writes the outbox to the media; the assessor signs in with their own passphrase
and triages another case. Last, more reports are filed and imported (101 in all) and psd pages
through the list. The CLI then shows the triage and the reply, the outbox written in the browser
carried the reply and the forward, and the audit verifies and names both officers; once psd
removes the assessor, the assessor's sign-in is refused. Screenshots of each page are left in
--artefacts.

  console_test.py --server BIN --console BIN --transfer BIN --artefacts DIR
Exit 0 only when everything passed.
"""
import argparse, http.cookiejar, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.parse, urllib.request, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from browser_test import make_instance, run  # noqa: E402
from journey import Browser, Fail  # noqa: E402

REPORTS = [
    ("corruption", "no", "Console test: sells PNC checks to a private investigator."),
    ("domestic", "yes", "Console test: he controls his partner's money and phone."),
    ("corruption", "no", "Console test: takes cash from the Blue Lagoon nightclub owner."),
]
NOTE = "Refer to the anti-corruption unit; nightclub named."
ASSESSOR, ASSESSOR_PASSPHRASE = "assessor", "the assessor's own passphrase"
REFUSED = "The officer name or passphrase is not right"
REPLY = "Thank you. Which night did this happen?"
FOLLOWUP = "Console test follow-up: the cash is handed over on Friday nights."


def start(argv):
    """Starts a program that prints 'listening ADDRESS' (after other listener lines); returns
    (process, {name: address})."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    found = {}
    while True:
        line = p.stdout.readline().strip()
        if not line:
            p.kill()
            raise SystemExit(f"FAILED: {argv[0]} did not start: {p.stderr.read()}")
        name, _, address = line.partition(" ")
        found[name] = address
        if name == "listening":
            return p, found


def multipart(fields, files=()):
    """A multipart/form-data body of FIELDS ((name, value)) and FILES ((name, bytes)); returns
    (body, content type)."""
    boundary = uuid.uuid4().hex
    body = b""
    for k, v in fields:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").encode()
    for name, content in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                 "Content-Type: image/jpeg\r\n\r\n").encode() + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def send_followup(base, codename, message):
    """The reporter comes back with their codename and sends more information (the inbox's form)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login", timeout=60).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "codename": codename}).encode()
    inbox = opener.open(urllib.request.Request(base + "/login", data=form, method="POST"), timeout=60).read().decode()
    found = re.search(r'action="/followup"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', inbox)
    if not found:
        raise SystemExit("FAILED: the codename did not open the inbox")
    body, ctype = multipart((("csrf", found.group(1)), ("message", message), ("at_risk", "no")))
    sent = opener.open(urllib.request.Request(base + "/followup", data=body, method="POST",
                                              headers={"Content-Type": ctype}), timeout=60).read().decode()
    if 'id="followup-sent"' not in sent:
        raise SystemExit("FAILED: the follow-up was not sent")


def file_report(base, category, at_risk, what, files=()):
    """One report through the source interface, as a browser would post it (multipart); FILES:
    (name, bytes) attachments. Returns the codename the reporter is given."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/report", timeout=60).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body, ctype = multipart((("csrf", csrf), ("force", "MET"), ("category", category), ("at_risk", at_risk),
                             ("what", what)), files)
    req = urllib.request.Request(base + "/report", data=body, method="POST", headers={"Content-Type": ctype})
    with opener.open(req, timeout=120) as res:
        page = res.read().decode()
        if res.status != 200:
            raise SystemExit("FAILED: a report was refused")
    found = re.search(r'<p id="codename" class="codename">([^<]+)</p>', page)
    if not found:
        raise SystemExit("FAILED: no codename after sending a report")
    return found.group(1).strip()


def rows(b):
    return [b.text(n) for n in b.qall("table.cases tbody tr")]


def expect(cond, what):
    if not cond:
        raise Fail(what)


def sign_in(b, officer, passphrase):
    b.type_into('input[name="officer"]', officer)
    b.type_into('input[name="passphrase"]', passphrase)
    b.click_and_wait('form[action="/sign-in"] button[type="submit"]')


# The report about the nightclub carries a photo whose EXIF names the reporter and places them
# (GPS); the officer makes a safe copy of it on the web face and saves it.
PHOTO_REPORT, PHOTO_NAME, PHOTO_SECRET = 2, "lagoon.jpg", "Alice Reporter"


def photo_with_exif():
    """A real JPEG (netpbm's pnmtojpeg) with an EXIF segment (Artist, GPS latitude) and a comment,
    as tests/support/crafted_files.cpp makes it."""
    w, h = 64, 48
    ppm = b"P6\n%d %d\n255\n" % (w, h) + bytes((x * 255 // w, y * 255 // h, 200)[c]
                                                for y in range(h) for x in range(w) for c in range(3))
    jpeg = subprocess.run(["/usr/bin/pnmtojpeg"], input=ppm, capture_output=True, check=True).stdout
    be16, be32 = (lambda v: v.to_bytes(2, "big")), (lambda v: v.to_bytes(4, "big"))
    tiff = b"MM" + be16(42) + be32(8) + be16(2)
    tiff += be16(0x013B) + be16(2) + be32(15) + be32(38)  # Artist, 15 bytes at 38
    tiff += be16(0x8825) + be16(4) + be32(1) + be32(54)   # the GPS IFD at 54
    tiff += be32(0) + PHOTO_SECRET.encode() + b"\0\0"
    tiff += be16(2) + be16(0x0001) + be16(2) + be32(2) + b"N\0\0\0"  # latitude ref N
    tiff += be16(0x0002) + be16(5) + be32(3) + be32(84) + be32(0)    # latitude at 84
    tiff += b"".join(be32(v) + be32(1) for v in (51, 30, 26))
    segment = lambda code, payload: bytes((0xFF, code)) + be16(len(payload) + 2) + payload  # noqa: E731
    return (jpeg[:2] + segment(0xE1, b"Exif\0\0" + tiff)
            + segment(0xFE, f"Taken by {PHOTO_SECRET} at 51.5072N".encode()) + jpeg[2:])


def exif_of(path):
    """What exiftool (an independent reader) sees in PATH."""
    return subprocess.run(["/usr/bin/exiftool", "-a", "-G1", "-s", path], capture_output=True,
                          text=True, check=True).stdout


def exif_of_bytes(content, work):
    path = os.path.join(work, "exif-check.jpg")
    with open(path, "wb") as f:
        f.write(content)
    return exif_of(path)


def set_download_dir(b, path):
    """Downloads land in PATH under the name the console gives (Browser domain: browser-wide,
    so sent outside the page's session)."""
    session, b.session = b.session, None
    try:
        b.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": path})
    finally:
        b.session = session


def safe_copy_journey(b, base, out, shots, case_id, downloads):
    """psd makes a safe copy of the photo attached to the case and saves it: it arrives under the
    console's name, a JPEG in which exiftool finds no GPS, no Artist and no comment."""
    shot = screenshots(b, out, shots)
    b.navigate(base + "/sign-in")
    sign_in(b, "psd", "browser test passphrase")
    b.navigate(base + "/cases/" + case_id)
    expect(PHOTO_NAME in b.text(b.q("main")), "the case lists its attachment")
    b.click_and_wait('ul.attachments form[action$="/attachments/1/safe-copy"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Safe copy of attachment 1" in main and "re-encoded as JPEG" in main, f"the safe copy page: {main}")
    expect("Removed from the copy" in main and "EXIF" in main, "the page lists what was removed")
    expect("--original" in main, "the page names the command line for the original")
    shot("safe-copy")
    link = b.q('a[href^="/downloads/"]', required=True)
    name = b.attrs(link).get("download", "")
    expect(re.fullmatch(r"case-[0-9a-f]{8}-attachment-1\.jpg", name), f"a safe file name: {name!r}")
    set_download_dir(b, downloads)
    b.click(link)  # a download: the page stays
    saved, end = os.path.join(downloads, name), time.monotonic() + 60
    while not os.path.exists(saved) and time.monotonic() < end:
        time.sleep(0.2)
    expect(os.path.exists(saved), f"the safe copy was saved as {name} (found {os.listdir(downloads)})")
    with open(saved, "rb") as f:
        copy = f.read()
    expect(copy[:2] == b"\xff\xd8" and PHOTO_SECRET.encode() not in copy and b"Exif" not in copy,
           "the saved copy is a JPEG without the EXIF")
    seen = exif_of(saved)
    expect(not any(tag in seen for tag in ("GPS", "Artist", "Comment", PHOTO_SECRET)),
           f"exiftool finds no metadata in the copy: {seen}")
    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')


# The paging step brings the console to this many reports: two pages of the list.
PAGED = 101


def paging_journey(b, base, out, shots, file_more):
    """The case list 100 to a page: file_more() files and imports reports up to PAGED; psd sees the
    first page and follows Next to the second (the Pagination nav is checked by axe with it)."""
    shot = screenshots(b, out, shots)
    file_more()
    b.navigate(base + "/sign-in")
    sign_in(b, "psd", "browser test passphrase")
    main = b.text(b.q("main"))
    expect(len(rows(b)) == 100 and f"Showing 1–100 of {PAGED} reports." in main, f"page 1 of the list: {main[:300]}")
    expect(b.q('nav[aria-label="Pagination"] a[rel="next"]'), "a Next link in the Pagination nav")
    b.click_and_wait('nav[aria-label="Pagination"] a[rel="next"]')
    main = b.text(b.q("main"))
    expect(b.url()[0].endswith("/cases?page=2") and len(rows(b)) == PAGED - 100, f"page 2: {b.url()[0]}")
    expect(f"Showing 101–{PAGED} of {PAGED} reports." in main and "Page 2 of 2" in main, "page 2 says where it is")
    expect(b.q('nav[aria-label="Pagination"] a[rel="prev"]') and not b.q('a[rel="next"]'), "Previous only")
    shot("cases-page-2")
    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')


# With --axe: the axe-core and accessibility-tree checker of axe_check.py, run on every page
# the journey screenshots (at 1280 and 390 px), in a JavaScript-on pass for the checker only.
CHECKER = None


def screenshots(b, out, shots):
    """shot(name): a numbered screenshot of the page in OUT, its path added to SHOTS (and, with
    --axe, the page checked)."""
    def shot(name):
        shots.append(b.screenshot(os.path.join(out, f"console-{len(shots) + 1:02d}-{name}.png")))
        if CHECKER:
            CHECKER.check("console " + name)
    return shot


def officer_journey(b, base, out, shots):
    shot = screenshots(b, out, shots)

    b.navigate(base + "/cases")
    expect(b.url()[0].endswith("/sign-in"), "signed out, /cases leads to sign-in")
    shot("sign-in")
    sign_in(b, "psd", ASSESSOR_PASSPHRASE)
    expect(REFUSED in b.text(b.q("main")), "another officer's passphrase is refused")
    b.navigate(base + "/sign-in")  # a fresh form (the refused one keeps the name typed)
    sign_in(b, "psd", "browser test passphrase")
    expect(b.url()[0].endswith("/cases"), "signed in, the case list")
    r = rows(b)
    expect(len(r) == 3 and "partner" in r[0], f"three cases, the one at risk first: {r}")
    shot("cases")

    b.choose_option('select[name="category"]', "corruption")
    b.click_and_wait('form.filters button[type="submit"]')
    r = rows(b)
    expect(len(r) == 2 and all("partner" not in x for x in r), f"filtered by category: {r}")
    expect("category=corruption" in b.url()[0], "filters are GET parameters")
    shot("filtered")

    b.type_into('input[name="q"]', "Blue Lagoon")
    b.click_and_wait('form.search button[type="submit"]')
    r = rows(b)
    expect(len(r) == 1 and "nightclub" in r[0], f"search finds one case: {r}")
    expect("Lagoon" not in b.url()[0], "the search words are in no URL")
    shot("search")

    b.click_and_wait("table.cases tbody tr a")
    expect("/cases/" in b.url()[0], "the case page")
    main = b.text(b.q("main"))
    expect("Blue Lagoon nightclub owner" in main, "the report's text")
    expect(FOLLOWUP in main and main.index("Blue Lagoon nightclub owner") < main.index(FOLLOWUP),
           "the reporter's follow-up in the conversation, after the report")
    shot("case")

    b.choose_radio('form[action$="/triage"]', "outcome", "investigate")
    b.type_into('textarea[name="note"]', NOTE)
    b.click_and_wait('form[action$="/triage"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Triage recorded." in main and "Triage: investigate" in main and "by psd" in main,
           "the triage in the conversation, with who")
    shot("triaged")

    b.type_into('textarea[name="text"]', REPLY)
    b.click_and_wait('form[action$="/reply"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Reply sealed." in main and REPLY in main, "the reply in the conversation")
    case_url = b.url()[0]
    shot("replied")

    b.choose_option('select[name="to"]', "NATIONAL")
    b.click_and_wait('form[action$="/forward"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Report re-sealed to the other force." in main and "Forwarded to NATIONAL" in main,
           "the forward in the conversation")
    shot("forwarded")

    b.navigate(base + "/stats")
    main = b.text(b.q("main"))
    expect("3 report(s)" in main and "Reports by category" in main, "the statistics")
    expect(len(b.qall("svg.chart")) == 4, "four charts (month, category, outcome, time to triage)")
    shot("stats")

    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')
    expect("signed out" in b.text(b.q("main")), "signed out")
    b.navigate(case_url.split("?")[0])
    expect(b.url()[0].endswith("/sign-in"), "after sign-out the case needs a sign-in again")
    return case_url.split("/cases/")[1].split("?")[0]


ARCHIVE_PASSPHRASE = "seal it for the investigators"


def wait_for_download(folder, name, timeout=90):
    """The file Chromium saved as NAME in FOLDER, once complete (no .crdownload left)."""
    end = time.monotonic() + timeout
    path = os.path.join(folder, name)
    while time.monotonic() < end:
        if os.path.exists(path) and not any(f.endswith(".crdownload") for f in os.listdir(folder)):
            return path
        time.sleep(0.2)
    raise Fail(f"no download {name} in {timeout} s (folder holds {os.listdir(folder)})")


def case_archive_download(b, base, out, shots, case_id, downloads):
    """psd exports the case archive from the case page (docs/console.md §7): a mismatched
    passphrase is refused on the page, then a plain ZIP and a sealed one are downloaded (CDP
    Browser.setDownloadBehavior into DOWNLOADS) and checked: zipfile, the manifest, age -d."""
    import hashlib, zipfile
    shot = screenshots(b, out, shots)
    set_download_dir(b, downloads)
    b.navigate(base + "/sign-in")
    sign_in(b, "psd", "browser test passphrase")
    b.navigate(f"{base}/cases/{case_id}")
    b.type_into("#archive-passphrase", ARCHIVE_PASSPHRASE)
    b.type_into("#archive-confirm", ARCHIVE_PASSPHRASE + " again")
    b.click_and_wait('form[action$="/archive"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("The two passphrases are different" in main, "mismatched archive passphrases are refused on the page")
    expect(ARCHIVE_PASSPHRASE not in b.send("DOM.getOuterHTML", {"nodeId": b.root})["outerHTML"],
           "the passphrase is never sent back")
    shot("archive-refused")

    name = f"case-{case_id[:8]}.zip"
    b.click(b.q('form[action$="/archive"] button[type="submit"]', required=True))  # both empty: plain
    z = zipfile.ZipFile(wait_for_download(downloads, name))
    expect(z.testzip() is None, "the downloaded archive's CRCs check")
    names = set(z.namelist())
    expect({"summary.html", "case.json", "MANIFEST.sha256"} <= names, f"the archive's files: {names}")
    for line in z.read("MANIFEST.sha256").decode().splitlines():
        digest, _, member = line.partition("  ")
        expect(hashlib.sha256(z.read(member)).hexdigest() == digest, f"the manifest verifies {member}")
    photos = [n for n in names if n.startswith("attachments/") and n.endswith(".jpg")]
    expect(len(photos) == 1 and b"Exif" not in z.read(photos[0]) and PHOTO_SECRET.encode() not in z.read(photos[0]),
           f"the archive holds the photo's safe copy, without its EXIF: {names}")
    summary = z.read("summary.html").decode()
    expect("Blue Lagoon nightclub owner" in summary and NOTE in summary and "by psd" in summary,
           "the summary holds the report, the triage note and who triaged")

    b.navigate(f"{base}/cases/{case_id}")
    b.type_into("#archive-passphrase", ARCHIVE_PASSPHRASE)
    b.type_into("#archive-confirm", ARCHIVE_PASSPHRASE)
    b.click(b.q('form[action$="/archive"] button[type="submit"]', required=True))
    sealed = wait_for_download(downloads, name + ".age")
    with open(sealed, "rb") as f:
        expect(f.read(33).startswith(b"age-encryption.org/v1\n-> scrypt "), "the sealed archive is an age file")
    with open(os.path.join(downloads, "pass"), "w") as f:
        f.write(ARCHIVE_PASSPHRASE + "\n")
    opened = os.path.join(downloads, "opened.zip")
    age = subprocess.run([sys.executable, os.path.join(HERE, "..", "support", "age_tty.py"),
                          os.path.join(downloads, "pass"), "--", "/usr/bin/age", "-d", "-o", opened, sealed],
                         capture_output=True, text=True, timeout=120)
    expect(age.returncode == 0, f"age -d opens the sealed archive: {age.stderr}")
    expect(set(zipfile.ZipFile(opened).namelist()) == names, "the sealed archive holds the same files")
    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')


def assessor_journey(b, base, out, shots):
    """The second officer: their own passphrase, the case at risk triaged under their name."""
    shot = screenshots(b, out, shots)

    b.navigate(base + "/sign-in")
    sign_in(b, ASSESSOR, ASSESSOR_PASSPHRASE)
    expect(b.url()[0].endswith("/cases"), "the assessor signed in, the case list")
    expect(ASSESSOR in b.text(b.q("body")), "the page names the officer signed in")
    b.click_and_wait("table.cases tbody tr a")  # the case at risk comes first
    b.choose_radio('form[action$="/triage"]', "outcome", "safeguard")
    b.type_into('textarea[name="note"]', "Call the domestic abuse team today.")
    b.click_and_wait('form[action$="/triage"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Triage: safeguard" in main and f"by {ASSESSOR}" in main, "the assessor's triage, with who")
    shot("assessor-triaged")
    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')


def removed_officer_refused(b, base, out, shots):
    b.navigate(base + "/sign-in")
    sign_in(b, ASSESSOR, ASSESSOR_PASSPHRASE)
    expect(b.url()[0].endswith("/sign-in") and REFUSED in b.text(b.q("main")),
           "a removed officer cannot sign in")
    screenshots(b, out, shots)("removed-refused")


def media_import(b, base, out, shots):
    """psd imports the pull bundle from the removable media page: progress, then the result."""
    shot = screenshots(b, out, shots)
    b.navigate(base + "/sign-in")
    sign_in(b, "psd", "browser test passphrase")
    b.navigate(base + "/media")
    main = b.text(b.q("main"))
    expect("pull.bundle" in main and "not imported yet" in main, f"the pull bundle on the media: {main}")
    shot("media")
    b.click_and_wait('form[action="/media/import"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Import complete" in main and "4 new item(s) imported from pull.bundle" in main,
           f"the import's result: {main}")
    expect(len(b.qall('div[role="log"] li')) >= 2 and "Imported " in main, "progress lines in bytes")
    shot("media-imported")
    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')


def media_outbox(b, base, out, shots, media):
    """psd writes the outbox to the media: the reply and the forward, and a receipt."""
    shot = screenshots(b, out, shots)
    b.navigate(base + "/sign-in")
    sign_in(b, "psd", "browser test passphrase")
    b.navigate(base + "/media")
    b.click_and_wait('form[action="/media/outbox"] button[type="submit"]')
    main = b.text(b.q("main"))
    expect("Outbox written" in main and "2 item(s) and a receipt for 4 imported item(s)" in main,
           f"the outbox's result: {main}")
    expect(any(n.startswith("outbox-") for n in os.listdir(media)), "the outbox file on the media")
    shot("media-outbox")
    b.click_and_wait('form[action="/sign-out"] button[type="submit"]')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--transfer", required=True)
    ap.add_argument("--artefacts", required=True)
    ap.add_argument("--timeout", type=int, default=240)
    ap.add_argument("--axe", action="store_true",
                    help="also run axe-core and the accessibility-tree checks on every page")
    a = ap.parse_args()
    if not shutil.which("chromium"):
        print("console_test: chromium is not installed (./scripts/install-deps installs it)", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="sealdrop-console-browser-")
    procs, b = [], None
    try:
        keys, pw = make_instance(a.console, work)
        server, addrs = start([a.server, "--listen", "127.0.0.1:0", "--force-listen", "127.0.0.1:0",
                               "--data", f"{work}/data", "--directory", f"{work}/directory.signed",
                               "--root-pub", f"{keys}/root.public"])
        procs.append(server)
        base = "http://" + addrs["listening"]
        photo = photo_with_exif()
        if "GPSLatitude" not in exif_of_bytes(photo, work):
            raise SystemExit("FAILED: the crafted photo carries no GPS position")
        for i, (category, at_risk, what) in enumerate(REPORTS):
            codename = file_report(base, category, at_risk, what, [(PHOTO_NAME, photo)] if i == PHOTO_REPORT else ())
            if i == PHOTO_REPORT:  # the nightclub's reporter comes back with more
                send_followup(base, codename, FOLLOWUP)
        force_api = next(v for k, v in addrs.items() if k != "listening")
        media = f"{work}/media"  # the removable media's mount point
        os.makedirs(media)
        run([a.transfer, "pull", "--server", "http://" + force_api, "--force", "MET", "--key",
             f"{keys}/MET-transfer.secret", "--passphrase-file", pw, "--out", f"{media}/pull.bundle"])
        console = f"{work}/console"
        # The first supervisor, "psd", signs in with the force key's passphrase (as force_side.py).
        psd = ["--officer", "psd", "--passphrase-file", pw]
        run([a.console, "init", "--data", console, "--key", f"{keys}/MET.secret", "--key-passphrase-file", pw,
             "--directory", f"{work}/directory.signed", "--root-pub", f"{keys}/root.public", *psd])
        assessor_pw = f"{work}/assessor.pass"
        with open(assessor_pw, "w", opener=lambda p, f: os.open(p, f, 0o600)) as f:
            f.write(ASSESSOR_PASSPHRASE + "\n")
        run([a.console, "officer", "add", "--data", console, *psd, ASSESSOR, "--role", "assessor",
             "--new-passphrase-file", assessor_pw])

        serve, addrs = start([a.console, "serve", "--data", console, "--listen", "127.0.0.1:0", "--media", media])
        procs.append(serve)
        os.makedirs(a.artefacts, exist_ok=True)
        shots = []
        started = time.monotonic()
        global CHECKER
        if a.axe:
            from axe_check import Checker, load_axe, self_test  # noqa: E402
            source, version = load_axe()
            b = Browser(None, started + a.timeout + 300, javascript=True)
            b.send("Page.setBypassCSP", {"enabled": True})
            b.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})
            CHECKER = Checker(b, "en")
            self_test(b, CHECKER)
        else:
            b = Browser(None, started + a.timeout)
        try:
            web = "http://" + addrs["listening"]
            media_import(b, web, a.artefacts, shots)
            case_id = officer_journey(b, web, a.artefacts, shots)
            downloads = os.path.join(work, "downloads")
            os.makedirs(downloads)
            safe_copy_journey(b, web, a.artefacts, shots, case_id, downloads)
            case_archive_download(b, web, a.artefacts, shots, case_id, downloads)
            media_outbox(b, web, a.artefacts, shots, media)
            assessor_journey(b, web, a.artefacts, shots)
            # The supervisor removes the assessor (command line); the web face refuses them.
            run([a.console, "officer", "remove", "--data", console, *psd, ASSESSOR])
            removed_officer_refused(b, web, a.artefacts, shots)

            def file_more():
                for i in range(PAGED - len(REPORTS)):
                    file_report(base, "corruption", "no", f"Console test: paging report {i}.")
                run([a.transfer, "pull", "--server", "http://" + force_api, "--force", "MET", "--key",
                     f"{keys}/MET-transfer.secret", "--passphrase-file", pw, "--out", f"{work}/pull-more.bundle"])
                run([a.console, "import", "--data", console, *psd, f"{work}/pull-more.bundle"])
            paging_journey(b, web, a.artefacts, shots, file_more)
        except Fail as e:
            raise SystemExit(f"FAILED: {e}\n{b.describe()}")
        finally:
            b.close()
        if CHECKER and CHECKER.problems:
            raise SystemExit("FAILED: accessibility problems on the console's pages:\n  "
                             + "\n  ".join(CHECKER.problems))
        if CHECKER:
            print(f"console_test: axe-core {version}: {len(CHECKER.pages)} console pages x 2 widths, "
                  "0 violations, every control named, headings in order")

        # The command line sees what the web face did; the outbox written in the browser took the
        # reply and the forward, so the next one carries only the receipt.
        shown = run([a.console, "show", "--data", console, *psd, case_id])
        if f"investigate (psd): {NOTE}" not in shown or REPLY not in shown:
            raise SystemExit(f"FAILED: `show` lacks the triage or the reply:\n{shown}")
        out = run([a.console, "outbox", "--data", console, *psd, "--out", f"{work}/outbox.bundle"])
        if "0 item(s) and a receipt for " not in out:
            raise SystemExit(f"FAILED: the browser's outbox did not take the reply and the forward: {out}")
        # The audit verifies and names both officers for what they did on the web face.
        run([a.console, "audit", "verify", "--data", console, *psd])
        audit = [line.split() for line in run([a.console, "audit", "list", "--data", console, *psd]).splitlines()]
        done = {(f[2], f[3]) for f in audit if len(f) >= 4}
        for who, action in (("psd", "import"), ("psd", "outbox"), ("psd", "sign-in"), ("psd", "triage"),
                            ("psd", "reply"), ("psd", "forward"), ("psd", "export"), ("psd", "export-case"),
                            (ASSESSOR, "sign-in"), (ASSESSOR, "triage"), ("psd", "officer-remove")):
            if (who, action) not in done:
                raise SystemExit(f"FAILED: the audit does not name {who} for {action}")
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=20)
        procs.remove(serve)
        for secret in (NOTE, REPLY, "Lagoon", "browser test passphrase", ASSESSOR_PASSPHRASE, ARCHIVE_PASSPHRASE):
            if secret in err:
                raise SystemExit("FAILED: a secret reached the console's output")
        print(f"console_test: passed in {round(time.monotonic() - started, 1)} s; screenshots: "
              + ", ".join(os.path.basename(s) for s in shots))
        return 0
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
