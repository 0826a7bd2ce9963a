#include "journalist_console/core/case_document.h"

#include <algorithm>

#include "common/utf8.h"

namespace sealdrop::console {
namespace {

using json = nlohmann::json;

// Invalid UTF-8 in untrusted text becomes U+FFFD, so that case.json always serialises.
std::string Clean(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto cp = DecodeUtf8At(text, i);
    if (cp.length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, cp.length));
      i += cp.length;
    }
  }
  return out;
}

json Fields(const std::vector<LabelledField>& fields) {
  json out = json::array();
  for (const auto& f : fields) out.push_back({{"label", f.label}, {"value", Clean(f.value)}});
  return out;
}

json NumbersOf(const std::vector<ArchivedAttachment>& all, const std::string& item_id) {
  json out = json::array();
  for (const auto& a : all) {
    if (a.item_id == item_id) out.push_back(a.number);
  }
  return out;
}

const char* KindName(SafeCopyKind k) {
  switch (k) {
    case SafeCopyKind::kPicture:
      return "picture";
    case SafeCopyKind::kPdf:
      return "pdf";
    case SafeCopyKind::kCleaned:
      return "cleaned";
    case SafeCopyKind::kUnchanged:
      return "unchanged";
    case SafeCopyKind::kEmpty:
      return "empty";
  }
  Die("unknown safe copy kind");
}

json OrNull(const std::optional<std::string>& s) { return s ? json(Clean(*s)) : json(nullptr); }
json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(Clean(s)); }

// --- HTML ------------------------------------------------------------------------------------

std::string EscText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters (ESC, NUL ...) are not text: shown as '?'; line ends kept.
        out +=
            (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : c;
    }
  }
  return out;
}
std::string Esc(const json& j) {
  return j.is_string() ? EscText(j.get<std::string>()) : j.is_null() ? "" : EscText(j.dump());
}

void FieldList(std::string& h, const json& fields) {
  if (fields.empty()) return;
  h += "<dl>";
  for (const auto& f : fields)
    h += "<dt>" + Esc(f["label"]) + "</dt><dd>" + Esc(f["value"]) + "</dd>";
  h += "</dl>\n";
}

constexpr const char* kStyle =
    R"(body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:48rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.8rem;margin-bottom:.3rem}h2{font-size:1.35rem;margin-top:2rem;border-bottom:2px solid #0b0c0c}h3{font-size:1.1rem;margin-bottom:.2rem}
.meta{color:#484949}.risk{border:4px solid #d4351c;padding:.6rem;font-weight:bold}
dl{display:grid;grid-template-columns:minmax(8rem,30%) 1fr;gap:.2rem .8rem}dt{font-weight:bold}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.entry{border-left:5px solid #b1b4b6;padding:.2rem 0 .2rem .8rem;margin:1rem 0;break-inside:avoid}.report{border-color:#1d70b8}.followup{border-color:#4c2c92}.reply{border-color:#00703c}.forward{border-color:#f47738}.triage{border-color:#0b0c0c}
.message{white-space:pre-wrap;overflow-wrap:anywhere}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #b1b4b6;text-align:left;padding:.3rem;vertical-align:top}
code{font-family:"Courier New",monospace;font-size:.85rem;overflow-wrap:anywhere}.left-out{color:#d4351c;font-weight:bold}
@media print{body{max-width:none;margin:0;font-size:10.5pt}h2{break-after:avoid}a{color:inherit;text-decoration:none}.entry,tr{break-inside:avoid}}
)";

}  // namespace

std::string ExportOriginalCommand(const ArchivedAttachment& a) {
  return "sealdrop-console export-attachment --data CONSOLE_DIR --officer YOUR_NAME " + a.item_id +
         " " + std::to_string(a.part) + " --original --out FILE";
}

json CaseDocument(const CaseView& view, const std::vector<ArchivedAttachment>& attachments,
                  const ExportFacts& facts) {
  const CaseRow& row = view.row;
  const std::string force = JsonString(view.item.meta, "force");
  json doc;
  doc["format"] = "sealdrop-case-archive";
  doc["version"] = 1;
  doc["exported"] = {{"officer", facts.officer},
                     {"at", facts.at},
                     {"console_force", facts.force},
                     {"sealed", facts.sealed}};
  doc["case"] = {{"id", row.id},
                 {"kind", Name(row.kind)},
                 {"force", force.empty() ? facts.force : Clean(force)},
                 {"category", OrNull(row.category)},
                 {"sent_day", row.sent_day},
                 {"received_day", row.received_day},
                 {"at_risk", row.urgent},
                 {"raised_at_risk", view.raise ? json{{"day", view.raise->day},
                                                      {"followup_id", view.raise->followup_id}}
                                               : json(nullptr)},
                 {"status", Name(row.status)},
                 {"outcome", OrNull(row.outcome)}};
  // The conversation in the web page's order: by day, and within a day as the store lists them.
  struct Entry {
    std::string day;
    json j;
  };
  std::vector<Entry> entries;
  {
    json r = {{"type", Name(row.kind)},
              {"id", row.id},
              {"sent_day", row.sent_day},
              {"damaged", false},
              {"fields", Fields(ItemFields(view.item.meta, row.kind))},
              {"attachments", NumbersOf(attachments, row.id)}};
    if (row.kind == CaseKind::kReport) {
      const auto contact = ContactFields(view.item.meta);
      r["contact"] = contact ? Fields(*contact) : json(nullptr);
    }
    entries.push_back({row.sent_day, std::move(r)});
  }
  for (const auto& f : view.followups) {
    json j = {{"type", "followup"},
              {"id", f.row.id},
              {"sent_day", f.row.sent_day},
              {"damaged", !f.item.has_value()},
              {"fields", f.item ? Fields(ItemFields(f.item->meta, CaseKind::kFollowUp)) : json::array()},
              {"attachments", NumbersOf(attachments, f.row.id)}};
    entries.push_back({f.row.sent_day, std::move(j)});
  }
  for (const auto& o : view.outbox) {
    json j = {{"type", o.row.kind}, {"id", o.row.id}, {"day", o.row.day}, {"delivery", o.state}};
    if (o.row.kind == "reply") {
      j["text"] = OrNull(o.text);
    } else {
      j["to"] = o.row.to;
    }
    entries.push_back({o.row.day, std::move(j)});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.day < b.day; });
  doc["conversation"] = json::array();
  for (auto& e : entries) doc["conversation"].push_back(std::move(e.j));
  doc["triage"] = json::array();
  for (const auto& t : view.triage) {
    doc["triage"].push_back({{"outcome", t.row.outcome},
                             {"note", OrNull(t.note)},
                             {"officer", t.actor},
                             {"day", t.row.day},
                             {"at", OrNull(t.at)}});
  }
  doc["attachments"] = json::array();
  for (const auto& a : attachments) {
    json j = {{"number", a.number},
              {"item_id", a.item_id},
              {"part", a.part},
              {"original_name", Clean(a.original_name)},
              {"content_type", Clean(a.content_type)},
              {"size", a.size},
              {"included", !a.file.empty()},
              {"file", OrNull(a.file)},
              {"sha256", OrNull(a.sha256)},
              {"left_out_reason", OrNull(a.left_out)},
              {"export_original", ExportOriginalCommand(a)}};
    if (a.copy) {
      j["safe_copy"] = {{"kind", KindName(a.copy->kind)},     {"input_type", a.copy->input_type},
                        {"output_type", a.copy->output_type}, {"pages", a.copy->pages},
                        {"removed", a.copy->removed},         {"notes", a.copy->notes},
                        {"warning", OrNull(a.copy->warning)}};
    } else {
      j["safe_copy"] = nullptr;
    }
    doc["attachments"].push_back(std::move(j));
  }
  return doc;
}

std::string SummaryHtml(const json& doc, const std::vector<ArchiveFile>& files) {
  const json& c = doc["case"];
  const std::string short_id = c["id"].get<std::string>().substr(0, 8);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Opened from a file, the page must fetch nothing and run nothing, whatever the text in it.
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
       "'unsafe-inline'\">\n";
  h += "<title>Case " + EscText(short_id) + " – SealDrop case archive</title>\n<style>" +
       std::string(kStyle) + "</style>\n</head>\n<body>\n";
  h += "<h1>Case " + EscText(short_id) + "</h1>\n";
  h += "<p class=\"meta\">Exported from the " + Esc(doc["exported"]["console_force"]) +
       " PSD console by " + Esc(doc["exported"]["officer"]) + " at " + Esc(doc["exported"]["at"]) +
       " (UTC).</p>\n";
  if (c["at_risk"].get<bool>()) {
    h += "<p class=\"risk\">The reporter said someone may be at risk of harm now.";
    if (c["raised_at_risk"].is_object())
      h += " Raised to at-risk on " + Esc(c["raised_at_risk"]["day"]) + " by a follow-up.";
    h += "</p>\n";
  }
  h += "<h2>The case</h2>\n<dl>";
  const auto row = [&](const char* label, const json& v) {
    h += std::string("<dt>") + label + "</dt><dd>" + (v.is_null() ? std::string("–") : Esc(v)) +
         "</dd>";
  };
  row("Case id", c["id"]);
  row("Kind", c["kind"]);
  row("Force", c["force"]);
  row("Category", c["category"]);
  row("Sent", c["sent_day"]);
  row("Received", c["received_day"]);
  row("At risk", c["at_risk"].get<bool>() ? json("yes") : json("no"));
  row("Status", c["status"]);
  row("Outcome", c["outcome"]);
  h += "</dl>\n<h2>Conversation</h2>\n";
  for (const auto& e : doc["conversation"]) {
    const std::string type = e["type"];
    h += "<section class=\"entry " + EscText(type) + "\">\n";
    if (type == "report" || type == "followup") {
      h += std::string("<h3>") + (type == "report" ? "Report" : "Follow-up from the reporter") +
           "</h3>\n";
      h += "<p class=\"meta\">sent " + Esc(e["sent_day"]) + " · id " + Esc(e["id"]) + "</p>\n";
      if (e["damaged"].get<bool>()) h += "<p>(It cannot be opened: damaged.)</p>\n";
      FieldList(h, e["fields"]);
      if (e.contains("contact")) {
        if (e["contact"].is_null()) {
          h += "<p>Contact: anonymous (reply through SealDrop only).</p>\n";
        } else {
          h += "<p><strong>Contact details (the reporter chose to leave them):</strong></p>\n";
          FieldList(h, e["contact"]);
        }
      }
      if (!e["attachments"].empty()) {
        h += "<p>Attachments:";
        for (const auto& n : e["attachments"])
          h += " <a href=\"#attachment-" + Esc(n) + "\">" + Esc(n) + "</a>";
        h += "</p>\n";
      }
    } else if (type == "reply") {
      h += "<h3>Reply to the reporter</h3>\n<p class=\"meta\">" + Esc(e["day"]) + " · " +
           Esc(e["delivery"]) + "</p>\n";
      h += "<p class=\"message\">" +
           (e["text"].is_null() ? std::string("(damaged)") : Esc(e["text"])) + "</p>\n";
    } else {
      h += "<h3>Forwarded to " + Esc(e["to"]) + "</h3>\n<p class=\"meta\">" + Esc(e["day"]) +
           " · " + Esc(e["delivery"]) + "</p>\n";
    }
    h += "</section>\n";
  }
  h += "<h2>Triage history</h2>\n";
  if (doc["triage"].empty()) h += "<p>Not triaged.</p>\n";
  for (const auto& t : doc["triage"]) {
    h += "<section class=\"entry triage\">\n<h3>Triage: " + Esc(t["outcome"]) +
         "</h3>\n<p class=\"meta\">" + Esc(t["at"].is_null() ? t["day"] : t["at"]) + " · by " +
         Esc(t["officer"]) + "</p>\n";
    h += "<p class=\"message\">" +
         (t["note"].is_null() ? std::string("(note damaged)") : Esc(t["note"])) +
         "</p>\n</section>\n";
  }
  h += "<h2>Attachments</h2>\n";
  if (doc["attachments"].empty()) h += "<p>None.</p>\n";
  for (const auto& a : doc["attachments"]) {
    h += "<section class=\"entry\" id=\"attachment-" + Esc(a["number"]) + "\">\n<h3>" +
         Esc(a["number"]) + ". " + Esc(a["original_name"]) + "</h3>\n<p class=\"meta\">sent as " +
         Esc(a["content_type"]) + ", " + Esc(a["size"]) + " bytes, attachment " + Esc(a["part"]) +
         " of " + Esc(a["item_id"]) + "</p>\n";
    if (a["included"].get<bool>()) {
      const json& s = a["safe_copy"];
      h += "<p>Safe copy: <code>" + Esc(a["file"]) + "</code> – ";
      const std::string kind = s["kind"];
      if (kind == "picture")
        h += "this " + Esc(s["input_type"]) + " was re-encoded as " + Esc(s["output_type"]) +
             " from its pixels.";
      if (kind == "pdf")
        h += "this PDF was rebuilt as a PDF of page pictures (" + Esc(s["pages"]) +
             (s["pages"] == 1 ? " page" : " pages") + "; no text, links or scripts).";
      if (kind == "cleaned")
        h += "metadata removed by mat2 from this " + Esc(s["input_type"]) +
             "; the content is as sent.";
      h += "</p>\n";
      if (!s["removed"].empty()) {
        h += "<p>Removed:</p>\n<ul>";
        for (const auto& r : s["removed"]) h += "<li>" + Esc(r) + "</li>";
        h += "</ul>\n";
      }
      for (const auto& n : s["notes"]) h += "<p>Note: " + Esc(n) + "</p>\n";
      if (!s["warning"].is_null())
        h += "<p class=\"left-out\">Warning: " + Esc(s["warning"]) + "</p>\n";
    } else {
      h += "<p class=\"left-out\">Not in this archive: " + Esc(a["left_out_reason"]) + "</p>\n";
      h += "<p>To export the original (exactly as sent, metadata and active content included) on "
           "the console:<br><code>" +
           Esc(a["export_original"]) + "</code></p>\n";
    }
    h += "</section>\n";
  }
  h += "<h2>Files in this archive</h2>\n<p>SHA-256 of every other file. "
       "<code>MANIFEST.sha256</code> lists them all, "
       "this summary included: <code>sha256sum -c MANIFEST.sha256</code> checks them.</p>\n";
  h += "<table>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">Bytes</th><th "
       "scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n";
  for (const auto& f : files) {
    h += "<tr><td><code>" + EscText(f.name) + "</code></td><td>" + std::to_string(f.bytes) +
         "</td><td><code>" + EscText(f.sha256) + "</code></td></tr>\n";
  }
  h += "</tbody>\n</table>\n</body>\n</html>\n";
  return h;
}

}  // namespace sealdrop::console
