#!/usr/bin/env python3
"""The source interface's messages: extracts them, writes sealdrop.pot, and checks catalogues.

  extract.py           writes server/i18n/sealdrop.pot from the templates and the C++ code
  extract.py --check   fails (exit 1, naming each message) unless sealdrop.pot is up to date and
                       every <code>.po in server/i18n translates every message, none fuzzy or
                       empty, none stale, each keeping its msgid's {{tags}}, {placeholders} and
                       markup (a plural form may spell its number out); and msgfmt --check
                       accepts it

Messages (docs/i18n.md): a template's {{#t}}...{{/t}} sections (white space runs become one
space, as server/i18n/catalogue.cpp does at run time), and in C++ (server/, report/) the strings
given to N_(), Translate(language, ...) and TranslatePlural(language, singular, plural, n),
found by xgettext.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
POT = os.path.join(HERE, "sealdrop.pot")


def normalise(text):
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def template_messages():
    found = []  # (msgid, None, where)
    for path in sorted(glob.glob(os.path.join(ROOT, "server", "templates", "*.mustache"))):
        text = open(path, encoding="utf-8").read()
        rel = os.path.relpath(path, ROOT)
        for m in re.finditer(r"\{\{#t\}\}(.*?)\{\{/t\}\}", text, re.S):
            if "{{#t}}" in m.group(1):
                sys.exit(f"{rel}: a {{{{#t}}}} section inside another")
            found.append((normalise(m.group(1)), None, rel))
    return found


def unquote(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_po(path):
    """Entries of a .po/.pot: dicts with msgid, msgid_plural, msgstr (list), fuzzy, refs."""
    entries, cur, field = [], None, None

    def flush():
        if cur is not None and cur.get("msgid") is not None:
            entries.append(cur)

    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.startswith("#,"):
            if cur is not None and cur.get("msgid") is not None:
                flush()
                cur = None
            cur = cur or {"msgstr": {}, "fuzzy": False, "refs": []}
            cur["fuzzy"] = cur["fuzzy"] or "fuzzy" in line
        elif line.startswith("#:"):
            if cur is not None and cur.get("msgid") is not None:
                flush()
                cur = None
            cur = cur or {"msgstr": {}, "fuzzy": False, "refs": []}
            cur["refs"] += line[2:].split()
        elif line.startswith("#") or not line.strip():
            continue
        else:
            m = re.match(r'(msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
            if m:
                key = m.group(1)
                if key == "msgid":
                    if cur is not None and cur.get("msgid") is not None:
                        flush()
                        cur = None
                    cur = cur or {"msgstr": {}, "fuzzy": False, "refs": []}
                    cur["msgid"] = unquote(m.group(3))
                    field = ("msgid",)
                elif key == "msgid_plural":
                    cur["msgid_plural"] = unquote(m.group(3))
                    field = ("msgid_plural",)
                else:
                    index = int(m.group(2)) if m.group(2) else 0
                    cur["msgstr"][index] = unquote(m.group(3))
                    field = ("msgstr", index)
            elif line.startswith('"') and line.endswith('"'):
                part = unquote(line[1:-1])
                if field[0] == "msgstr":
                    cur["msgstr"][field[1]] += part
                else:
                    cur[field[0]] += part
            else:
                sys.exit(f"{path}: cannot read line: {line}")
    flush()
    return entries


def code_messages():
    sources = sorted(glob.glob(os.path.join(ROOT, "server", "**", "*.cpp"), recursive=True) +
                     glob.glob(os.path.join(ROOT, "server", "**", "*.h"), recursive=True) +
                     glob.glob(os.path.join(ROOT, "report", "*.cpp")))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "code.pot")
        subprocess.run(["xgettext", "--language=C++", "--from-code=UTF-8", "--omit-header",
                        "--no-wrap", "-k", "-kN_", "-kTranslate:2", "-kTranslatePlural:2,3",
                        "-o", out] + [os.path.relpath(s, ROOT) for s in sources],
                       cwd=ROOT, check=True)
        if not os.path.exists(out):
            return []
        found = []
        for e in parse_po(out):
            refs = sorted({r.rsplit(":", 1)[0] for r in e["refs"]})
            found.append((e["msgid"], e.get("msgid_plural"), " ".join(refs)))
        return found


def messages():
    """Every message once, in the order first met: [(msgid, msgid_plural, [where...])]."""
    order, by_id = [], {}
    for msgid, plural, where in template_messages() + code_messages():
        if msgid not in by_id:
            by_id[msgid] = (msgid, plural, [])
            order.append(msgid)
        if where not in by_id[msgid][2]:
            by_id[msgid][2].append(where)
    return [by_id[m] for m in order]


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def pot_text(msgs):
    out = ['# The source interface\'s messages (docs/i18n.md). Generated by server/i18n/extract.py:',
           '# do not edit; run it again after changing a message.',
           'msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', '']
    for msgid, plural, where in msgs:
        out.append("#: " + " ".join(where))
        out.append("msgid " + quote(msgid))
        if plural is not None:
            out.append("msgid_plural " + quote(plural))
            out += ['msgstr[0] ""', 'msgstr[1] ""']
        else:
            out.append('msgstr ""')
        out.append("")
    return "\n".join(out)


def tokens(text):
    """What a translation must keep: mustache tags, {placeholders} and markup tags."""
    return sorted(re.findall(r"\{\{[^}]*\}\}|\{[a-z]+\}|<[^>]*>", text))


def check(msgs):
    problems = []
    if not os.path.exists(POT) or open(POT, encoding="utf-8").read() != pot_text(msgs):
        problems.append("server/i18n/sealdrop.pot is out of date: run server/i18n/extract.py")
    used = {m[0]: m for m in msgs}
    for po in sorted(glob.glob(os.path.join(HERE, "*.po"))):
        name = os.path.relpath(po, ROOT)
        entries = [e for e in parse_po(po) if e["msgid"] != ""]
        header = next((e for e in parse_po(po) if e["msgid"] == ""), None)
        nplurals = 2
        if header:
            m = re.search(r"nplurals=(\d+)", header["msgstr"].get(0, ""))
            nplurals = int(m.group(1)) if m else 2
        have = {e["msgid"]: e for e in entries}
        for msgid, plural, where in msgs:
            e = have.get(msgid)
            label = f"{name}: untranslated ({', '.join(where)}): {msgid!r}"
            if e is None:
                problems.append(label + " is missing")
                continue
            if e["fuzzy"]:
                problems.append(label + " is fuzzy")
                continue
            forms = range(nplurals) if plural is not None else [0]
            if plural is not None and e.get("msgid_plural") != plural:
                problems.append(label + f" has the plural {e.get('msgid_plural')!r}, not {plural!r}")
                continue
            for i in forms:
                text = e["msgstr"].get(i, "")
                if not text.strip():
                    problems.append(label + (f" has an empty msgstr[{i}]" if plural else
                                             " has an empty msgstr"))
                    continue
                source = msgid if plural is None else plural
                want = tokens(source)
                got = tokens(text)
                if plural is not None:
                    # A plural form may spell its number out ("dwy ffeil"), so it may drop
                    # {n}; it adds nothing.
                    want = sorted(set(tokens(msgid)) | set(tokens(plural)))
                    ok = set(got) <= set(want)
                else:
                    ok = got == want
                if not ok:
                    problems.append(f"{name}: the translation of {msgid!r} changes its tags or "
                                    f"placeholders: {got} instead of {want}")
        for e in entries:
            if e["msgid"] not in used:
                problems.append(f"{name}: stale (no template or code uses it): {e['msgid']!r}")
        result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                                capture_output=True, text=True)
        sys.stdout.write(f"{name}: {result.stderr.strip()}\n")
        if result.returncode != 0:
            problems.append(f"{name}: msgfmt --check refused it")
    for p in problems:
        print(p)
    return not problems


def main():
    msgs = messages()
    if sys.argv[1:] == ["--check"]:
        ok = check(msgs)
        print(f"{len(msgs)} messages: " + ("every catalogue is complete" if ok else "FAILED"))
        return 0 if ok else 1
    if sys.argv[1:]:
        print("usage: extract.py [--check]", file=sys.stderr)
        return 2
    with open(POT, "w", encoding="utf-8") as fh:
        fh.write(pot_text(msgs))
    print(f"wrote {os.path.relpath(POT, ROOT)}: {len(msgs)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
