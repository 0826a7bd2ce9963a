#!/usr/bin/python3
"""Writes manifest.json: report-form inputs and the exact metadata docs/report.md says they give.

Written from docs/report.md alone (Python's json in canonical settings: sorted keys, no white
space, UTF-8 kept), so the C++ codec (server/source/report_schema.cpp) is checked against an
independent reading of the spec. Run by hand after a deliberate spec change only.
"""
import json

SOURCE = {  # the codename vector of docs/codename.md §5
    "ref": "0b328933f3e5abaafbac682b8db4f0044d96cb8bcb98660b28c1130b20dc0c5e",
    "key": "sealdrop-src-ZGQqJ2d0iU_3SKrcJg0JQkCs9xUXMVADqhAxlhhd_l3cilch",
}
DAY = "2026-11-22"
REPORT_FIELDS = ["category", "role", "subject_name", "subject_number", "subject_description",
                 "what", "when", "where", "duty", "setting", "at_risk", "risk_details",
                 "how_known", "contact", "contact_name", "contact_phone", "contact_email",
                 "contact_times"]


def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text(v):
    return v.replace("\r\n", "\n")


def report(force, fields, language):
    f = {k: text(v) for k, v in fields}
    if f.get("what", "").strip(" \t\n") == "":
        return None
    g = lambda k: f.get(k, "")
    contact = {"mode": "anonymous"}
    if g("contact") == "details":
        contact = {"mode": "details", "name": g("contact_name"), "phone": g("contact_phone"),
                   "email": g("contact_email"), "times": g("contact_times")}
    return canonical({
        "version": 1, "kind": "report", "force": force, "day": DAY, "source": SOURCE,
        "category": g("category"), "role": g("role"),
        "subject": {"name": g("subject_name"), "number": g("subject_number"),
                    "description": g("subject_description")},
        "what": g("what"), "when": g("when"), "where": g("where"), "duty": g("duty"),
        "setting": g("setting"), "at_risk": g("at_risk"), "risk_details": g("risk_details"),
        "how_known": g("how_known"), "contact": contact, "language": language})


def followup(force, fields):
    f = {k: text(v) for k, v in fields}
    return canonical({"version": 1, "kind": "followup", "force": force, "day": DAY,
                      "source": SOURCE, "message": f.get("message", ""),
                      "at_risk": f.get("at_risk", ""), "risk_details": f.get("risk_details", "")})


cases = [
    ("report-minimal", "report", "NATIONAL", [["force", "NATIONAL"], ["what", "It happened."]]),
    ("report-in-welsh", "report", "DYP", [["force", "DYP"], ["what", "Digwyddodd ddoe."]], "cy"),
    ("report-every-field", "report", "MET", [
        ["force", "MET"], ["category", "sexual"], ["role", "officer"],
        ["subject_name", "PC Example"], ["subject_number", "4521"],
        ["subject_description", "Tall.\r\nWorks nights."], ["what", "Line one\r\nLine \"two\" \\ ü £ ✓"],
        ["when", "May"], ["where", "Station"], ["duty", "off"], ["setting", "online"],
        ["at_risk", "yes"], ["risk_details", "A colleague"], ["how_known", "I was there"],
        ["contact", "details"], ["contact_name", "Sam"], ["contact_phone", "07700 900123"],
        ["contact_email", "sam@example.org"], ["contact_times", "Evenings"]]),
    ("report-anonymous-drops-details", "report", "MET", [
        ["force", "MET"], ["what", "x"], ["contact", "anonymous"], ["contact_name", "Sam"]]),
    ("report-control-characters", "report", "MET", [
        ["force", "MET"], ["what", "tab\there\u0001bell\u007f"]]),
    ("report-blank-what-refused", "report", "MET", [["force", "MET"], ["what", " \r\n\t"]]),
    ("followup-message", "followup", "WMI", [["message", "More:\r\nthe car was blue."]]),
    ("followup-empty-message", "followup", "WMI", []),
    ("followup-someone-at-risk", "followup", "WMI", [
        ["message", "He knows where I live."], ["at_risk", "yes"],
        ["risk_details", "Me and my\r\nchildren"]]),
]
out = []
for name, form, force, fields, *rest in cases:
    # The reporter's language (docs/report.md §3): "en" unless the case says otherwise.
    language = rest[0] if rest else "en"
    expect = report(force, fields, language) if form == "report" else followup(force, fields)
    case = {"name": name, "form": form, "force": force, "day": DAY, "source": SOURCE,
            "fields": fields}
    if form == "report":
        case["language"] = language
    if expect is None:
        case["error"] = "invalid-argument"
    else:
        case["metadata"] = expect
    out.append(case)
with open("manifest.json", "w", encoding="utf-8") as fh:
    json.dump({"spec": "docs/report.md", "cases": out}, fh, indent=1, ensure_ascii=False)
    fh.write("\n")
