// GET /cases (the list, its filters and the search, a page of kCasesPerPage at a time) and
// POST /search.
#include <set>

#include "common/clock.h"
#include "crypto/sealed_field.h"
#include "journalist_console/core/case_actions.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/core/case_view.h"
#include "journalist_console/core/delivery.h"
#include "journalist_console/web/console_app.h"

namespace sealdrop::console::web {
namespace {

constexpr std::size_t kMaxQueryBytes = 200;
// Rows per page of the list (and of search results): 10,000 cases on one page were 2.3 MiB.
constexpr std::size_t kCasesPerPage = 100;

// "10,000"
std::string WithCommas(std::size_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

// ?page=N: 1 when absent; 0 when it is not a page number (1 to 7 digits, no leading zero).
std::size_t PageNumber(std::string_view text) {
  if (text.empty()) return 1;
  if (text.size() > 7 || text.front() == '0' || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return 0;
  }
  return std::stoul(std::string(text));
}

// The filters, as GET parameters (no content: values are codes, days and flags).
struct Filters {
  std::string status, outcome, category, force, from, to;
  bool at_risk = false, unread = false, search = false;

  static Filters From(const Form& q) {
    Filters f;
    // A status the console does not have is no filter (never "nothing matches").
    f.status = ParseCaseStatus(q.Get("status")) ? std::string(q.Get("status")) : "";
    f.outcome = q.Get("outcome");
    f.category = q.Get("category");
    f.force = q.Get("force");
    f.from = IsValidDay(q.Get("from")) ? std::string(q.Get("from")) : "";
    f.to = IsValidDay(q.Get("to")) ? std::string(q.Get("to")) : "";
    f.at_risk = q.Get("at_risk") == "1";
    f.unread = q.Get("unread") == "1";
    f.search = q.Get("search") == "on";
    return f;
  }
  // The query string of these filters (without the search switch).
  std::string Query() const {
    std::string out;
    auto add = [&](const char* name, const std::string& v) {
      if (v.empty()) return;
      out += (out.empty() ? "" : "&") + std::string(name) + "=" + UrlEncode(v);
    };
    add("status", status);
    add("outcome", outcome);
    add("category", category);
    add("force", force);
    add("from", from);
    add("to", to);
    add("at_risk", at_risk ? "1" : "");
    add("unread", unread ? "1" : "");
    return out;
  }
};

template <class String>
void LowerAscii(String& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

PageData Options(const std::vector<std::pair<std::string, std::string>>& values, const std::string& selected) {
  PageData list{PageData::type::list};
  for (const auto& [value, label] : values) {
    PageData o;
    o.set("value", value);
    o.set("label", label);
    o.set("selected", value == selected);
    list.push_back(o);
  }
  return list;
}

std::size_t CountOf(const std::map<std::string, std::size_t>& m, const std::string& ref) {
  const auto it = m.find(ref);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

Status ConsoleApp::BuildSearchIndex(Session& session) {
  SearchState& s = session.search;
  for (auto& [id, t] : s.text) WipeString(t);
  s.text.clear();
  s.force_chosen.clear();
  s.built = false;
  auto version = store_.SearchableVersion();  // read first: a change while building rebuilds again
  if (!version) return version.error();
  // Each table is read once (not LoadCaseView per case, which reads the audit chain each time):
  // building the index costs one pass over the sealed files.
  auto cases = store_.Cases();
  if (!cases) return cases.error();
  auto outbox = store_.Outbox(/*include_exported=*/true);
  if (!outbox) return outbox.error();
  const FieldSealer sealer(session.officer().key());
  std::map<std::string, WipingString> by_ref;  // follow-up text per conversation
  for (const auto& c : *cases) {
    if (c.kind == CaseKind::kReport) continue;
    auto item = ReadSealedItem(store_.SealedPath(c.id), session.officer().key());
    if (!item) continue;  // a damaged follow-up is shown as such on its case; it has no text
    for (const auto& f : ItemFields(item->meta, CaseKind::kFollowUp)) by_ref[c.source_ref].append(f.value).push_back('\n');
  }
  for (const auto& c : *cases) {
    if (c.kind != CaseKind::kReport) continue;
    auto item = ReadSealedItem(store_.SealedPath(c.id), session.officer().key());
    if (!item) return item.error();
    WipingString text;
    auto add = [&](std::string_view v) {
      text.append(v);
      text.push_back('\n');
    };
    for (const auto& f : ItemFields(item->meta, CaseKind::kReport)) add(f.value);
    if (const auto contact = ContactFields(item->meta)) {
      for (const auto& f : *contact) add(f.value);
    }
    if (const auto f = by_ref.find(c.source_ref); f != by_ref.end()) add(f->second);
    auto triage = store_.Triage(c.id);
    if (!triage) return triage.error();
    for (const auto& t : *triage) {
      if (auto note = sealer.Open(c.id + "|note|" + std::to_string(t.seq), t.note)) add(*note);
    }
    for (const auto& r : *outbox) {
      if (r.case_id != c.id || r.kind != "reply") continue;
      if (auto reply = sealer.Open(r.id + "|reply", r.text)) add(*reply);
    }
    LowerAscii(text);
    s.text.emplace(c.id, std::move(text));
    s.force_chosen.emplace(c.id, JsonString(item->meta, "force"));
  }
  for (auto& [ref, t] : by_ref) WipeString(t);
  s.built = true;
  s.built_at = std::move(*version);
  return Status::Ok();
}

Response ConsoleApp::GetCases(Context& c) {
  auto query = Form::Parse(c.query);
  if (!query) return ErrorPage(http::status::bad_request, "Bad filters", "The filters could not be read.", c.session);
  const Filters f = Filters::From(*query);
  Session& session = *c.session;
  const bool searching = f.search && !session.search.query.empty();
  bool stale = !session.search.built;
  if ((searching || !f.force.empty()) && !stale) {
    // Opening every case again costs seconds on a big console: only when something was added.
    auto version = store_.SearchableVersion();
    if (!version) return ErrorPage(http::status::internal_server_error, "The cases could not be searched", version.error().message, c.session);
    stale = *version != session.search.built_at;
  }
  if ((searching || !f.force.empty()) && stale) {
    if (auto st = BuildSearchIndex(session); !st) {
      return ErrorPage(http::status::internal_server_error, "The cases could not be searched", st.error().message, c.session);
    }
  }
  auto cases = store_.Cases();
  if (!cases) return ErrorPage(http::status::internal_server_error, "The cases could not be read", cases.error().message, c.session);
  auto followups = store_.FollowUpCounts();
  auto unread = store_.UnreadFollowUpCounts();
  auto raises = store_.RiskRaises();
  auto undelivered = ListUndelivered(store_);
  if (!followups || !unread || !raises || !undelivered) {
    return ErrorPage(http::status::internal_server_error, "The cases could not be read",
                     "The console store could not be read.", c.session);
  }
  std::set<std::string> categories;
  std::vector<CaseRow> shown;
  std::size_t total = 0;
  for (auto& row : *cases) {
    if (row.kind != CaseKind::kReport) continue;
    ++total;
    if (!row.category.empty()) categories.insert(row.category);
    if (!f.status.empty() && Name(row.status) != f.status) continue;
    if (!f.outcome.empty() && row.outcome != f.outcome) continue;
    if (!f.category.empty() && row.category != f.category) continue;
    if (!f.from.empty() && row.sent_day < f.from) continue;
    if (!f.to.empty() && row.sent_day > f.to) continue;
    if (f.at_risk && !row.urgent) continue;
    if (f.unread && CountOf(*unread, row.source_ref) == 0) continue;
    if (!f.force.empty()) {
      const auto it = session.search.force_chosen.find(row.id);
      if (it == session.search.force_chosen.end() || it->second != f.force) continue;
    }
    if (searching) {
      const auto it = session.search.text.find(row.id);
      if (it == session.search.text.end() || it->second.find(session.search.query) == WipingString::npos) continue;
    }
    shown.push_back(std::move(row));
  }
  SortForList(shown, *unread);

  // One page of the sorted list; its links keep every filter (and the search switch).
  const std::string filters_query = f.Query();
  const auto page_link = [&](std::size_t n) {
    std::string q = filters_query;
    if (searching) q += (q.empty() ? "" : "&") + std::string("search=on");
    if (n > 1) q += (q.empty() ? "" : "&") + std::string("page=") + std::to_string(n);
    return "/cases" + (q.empty() ? std::string() : "?" + q);
  };
  const std::size_t pages = std::max<std::size_t>(1, (shown.size() + kCasesPerPage - 1) / kCasesPerPage);
  const std::string_view page_text = query->Get("page");
  const std::size_t page = PageNumber(page_text);
  if (page == 0 || page > pages) {
    PageData e;
    e.set("heading", "No such page");
    e.set("message", "This list has " + WithCommas(pages) + (pages == 1 ? " page" : " pages") +
                         (page == 0 ? "; pages are numbered from 1." : ": there is no page " + std::string(page_text) + "."));
    e.set("link", page_link(pages));
    e.set("link_text", pages == 1 ? std::string("The list") : "The last page (" + WithCommas(pages) + ")");
    return Page(http::status::not_found, "error", "No such page", std::move(e), c.session);
  }
  const std::size_t first = (page - 1) * kCasesPerPage;
  const std::size_t last = std::min(shown.size(), first + kCasesPerPage);

  const FieldSealer sealer(session.officer().key());
  PageData rows{PageData::type::list};
  for (std::size_t i = first; i < last; ++i) {
    const CaseRow& row = shown[i];
    PageData r;
    r.set("id", row.id);
    r.set("short_id", row.id.substr(0, 8));
    r.set("sent", row.sent_day);
    r.set("urgent", row.urgent);
    const auto raise = raises->find(row.id);
    r.set("raised_day", Optional(raise == raises->end() ? std::string() : raise->second.day));
    r.set("category", row.category.empty() ? std::string("–") : row.category);
    r.set("status", std::string(Name(row.status)));
    r.set("outcome", Optional(row.outcome));
    r.set("followups", std::to_string(CountOf(*followups, row.source_ref)));
    const std::size_t n = CountOf(*unread, row.source_ref);
    r.set("unread", Optional(n == 0 ? std::string() : std::to_string(n)));
    auto summary = sealer.Open(row.id + "|summary", row.summary);
    r.set("summary", summary ? *summary : std::string("(cannot be read: damaged)"));
    rows.push_back(r);
  }
  PageData und{PageData::type::list};
  for (const auto& u : *undelivered) {
    PageData d;
    d.set("label", u.label);
    d.set("day", u.day);
    d.set("state", u.state);
    und.push_back(d);
  }
  std::vector<std::pair<std::string, std::string>> outcome_values = {{"", "Any"}};
  for (const auto& o : TriageOutcomes()) outcome_values.emplace_back(o, o);
  std::vector<std::pair<std::string, std::string>> category_values = {{"", "Any"}};
  for (const auto& cat : categories) category_values.emplace_back(cat, cat);

  PageData d;
  d.set("shown", WithCommas(shown.size()));
  d.set("total", WithCommas(total));
  d.set("filtered", shown.size() != total);
  d.set("first", WithCommas(first + 1));
  d.set("last", WithCommas(last));
  d.set("paged", pages > 1);
  d.set("page", WithCommas(page));
  d.set("pages", WithCommas(pages));
  d.set("prev", Optional(page > 1 ? page_link(page - 1) : std::string()));
  d.set("next", Optional(page < pages ? page_link(page + 1) : std::string()));
  d.set("rows", rows);
  d.set("has_rows", !shown.empty());
  d.set("undelivered", und);
  d.set("has_undelivered", !undelivered->empty());
  std::vector<std::pair<std::string, std::string>> status_values = {{"", "Any"}};
  for (const CaseStatus s : {CaseStatus::kNew, CaseStatus::kTriaged, CaseStatus::kForwarded}) {
    status_values.emplace_back(Name(s), Name(s));
  }
  d.set("statuses", Options(status_values, f.status));
  d.set("outcomes", Options(outcome_values, f.outcome));
  d.set("categories", Options(category_values, f.category));
  d.set("force_filter", f.force);
  d.set("from", f.from);
  d.set("to", f.to);
  d.set("at_risk", f.at_risk);
  d.set("unread", f.unread);
  d.set("searching", searching);
  d.set("query", searching ? std::string(session.search.query) : std::string());
  d.set("filters_query", filters_query);
  return Page(http::status::ok, "cases", "Cases", std::move(d), c.session);
}

Response ConsoleApp::PostSearch(Context& c) {
  Session& session = *c.session;
  const std::string_view q = c.form.Get("q");
  const std::string_view back = c.form.Get("back");
  // `back` is the filters' query string this console wrote (Filters::Query): nothing else.
  if (back.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=&%._-") !=
      std::string_view::npos) {
    return ErrorPage(http::status::bad_request, "Bad filters", "The filters could not be read.", c.session);
  }
  if (q.size() > kMaxQueryBytes) {
    return ErrorPage(http::status::bad_request, "Search too long",
                     "Search for at most 200 characters.", c.session);
  }
  WipeString(session.search.query);
  const std::size_t first = q.find_first_not_of(' ');
  if (first != std::string_view::npos) {
    session.search.query.assign(q.substr(first, q.find_last_not_of(' ') - first + 1));
    LowerAscii(session.search.query);
  }
  const std::string base = "/cases?" + std::string(back);
  if (session.search.query.empty()) return RedirectTo(base);
  // The index is kept: the results page rebuilds it only if a case, a triage, a reply or a
  // forward was added since it was built (ConsoleStore::SearchableVersion).
  return RedirectTo(base + (back.empty() ? "" : "&") + "search=on");
}

}  // namespace sealdrop::console::web
