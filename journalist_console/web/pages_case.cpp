// GET /cases/ID (the whole conversation, each attachment with its safe-copy button), POST
// /cases/ID/triage and /cases/ID/reply.
#include <algorithm>

#include "journalist_console/core/case_actions.h"
#include "journalist_console/core/case_view.h"
#include "journalist_console/web/console_app.h"

namespace sealdrop::console::web {
namespace {

constexpr std::size_t kMaxNoteBytes = 20'000;

struct Entry {
  std::string day;  // for the order; entries of one day keep the order they were added in
  PageData data;
};

PageData FieldList(const std::vector<LabelledField>& fields) {
  PageData list{PageData::type::list};
  for (const auto& f : fields) {
    PageData d;
    d.set("label", f.label);
    d.set("value", f.value);
    list.push_back(d);
  }
  return list;
}

std::string SizeText(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  if (bytes < 1024 * 1024) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes / (1024 * 1024)) + " MB";
}

// `item_id`: the case item the attachments belong to (the report's or a follow-up's own id), whose
// attachments are numbered from 1 as `show` and export-attachment number them.
PageData Item(const char* css, const std::string& heading, const std::string& when, const OpenedItem& item,
              CaseKind kind, const std::string& item_id) {
  PageData d;
  d.set("css", css);
  d.set("heading", heading);
  d.set("when", when);
  const auto fields = ItemFields(item.meta, kind);
  d.set("fields", FieldList(fields));
  d.set("has_fields", !fields.empty());
  if (kind == CaseKind::kReport) {
    const auto contact = ContactFields(item.meta);
    d.set("contact_anonymous", !contact.has_value());
    d.set("has_contact", contact.has_value());
    if (contact) d.set("contact", FieldList(*contact));
  }
  PageData parts{PageData::type::list};
  for (std::size_t i = 0; i < item.parts.size(); ++i) {
    const PartSummary& p = item.parts[i];
    PageData pd;
    pd.set("item_id", item_id);
    pd.set("number", std::to_string(i + 1));
    pd.set("name", p.info.name);
    pd.set("type", p.info.content_type);
    pd.set("size", SizeText(p.size));
    parts.push_back(pd);
  }
  d.set("parts", parts);
  d.set("has_parts", !item.parts.empty());
  return d;
}

bool LooksLikeCaseId(std::string_view id) {
  return id.size() >= 6 && id.size() <= 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

Response ConsoleApp::CasePage(Context& c, const std::string& id, http::status status, std::string_view done,
                              const std::string& error, const char* error_field, std::string_view note,
                              std::string_view outcome, std::string_view reply, std::string_view forward_to) {
  Session& session = *c.session;
  auto view = LoadCaseView(store_, session.officer().key(), id);
  if (!view) {
    if (view.error().code == ErrorCode::kNotFound || view.error().code == ErrorCode::kInvalidArgument) {
      return ErrorPage(http::status::not_found, "No such case", view.error().message, c.session);
    }
    return ErrorPage(http::status::internal_server_error, "The case could not be opened", view.error().message, c.session);
  }
  const CaseRow& row = view->row;
  std::vector<Entry> entries;
  entries.push_back({row.sent_day, Item(row.kind == CaseKind::kReport ? "report" : "followup",
                                        row.kind == CaseKind::kReport ? "Report" : "Follow-up from the reporter",
                                        "sent " + row.sent_day, view->item, row.kind, row.id)});
  for (const auto& f : view->followups) {
    if (f.item) {
      PageData d = Item("followup", std::string(f.unread ? "New follow-up" : "Follow-up") + " from the reporter",
                        "sent " + f.row.sent_day, *f.item, CaseKind::kFollowUp, f.row.id);
      entries.push_back({f.row.sent_day, std::move(d)});
    } else {
      PageData d;
      d.set("css", "followup");
      d.set("heading", "Follow-up from the reporter");
      d.set("when", "sent " + f.row.sent_day);
      d.set("text", "(it cannot be opened: damaged)");
      entries.push_back({f.row.sent_day, std::move(d)});
    }
  }
  for (const auto& t : view->triage) {
    PageData d;
    d.set("css", "triage");
    d.set("heading", "Triage: " + t.row.outcome);
    d.set("when", t.at.empty() ? t.row.day : t.at);
    d.set("who", Optional(t.actor));
    d.set("text", Optional(t.note ? *t.note : std::string("(note damaged)")));
    entries.push_back({t.row.day, std::move(d)});
  }
  for (const auto& r : view->outbox) {
    PageData d;
    d.set("css", r.row.kind == "reply" ? "reply" : "forward");
    d.set("heading", r.row.kind == "reply" ? std::string("Reply to the reporter") : "Forwarded to " + r.row.to);
    d.set("when", r.row.day);
    d.set("state", Optional(r.state));
    if (r.row.kind == "reply") d.set("text", r.text ? *r.text : std::string("(damaged)"));
    entries.push_back({r.row.day, std::move(d)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.day < b.day; });
  PageData timeline{PageData::type::list};
  for (auto& e : entries) timeline.push_back(e.data);

  auto forwards = store_.LiveForwards(row.id, row.source_ref);
  if (!forwards) return ErrorPage(http::status::internal_server_error, "The case could not be opened", forwards.error().message, c.session);
  PageData choices{PageData::type::list};
  for (const auto& o : TriageOutcomes()) {
    PageData d;
    d.set("value", o);
    d.set("checked", o == outcome);
    choices.push_back(d);
  }
  PageData d;
  d.set("id", row.id);
  d.set("short_id", row.id.substr(0, 8));
  d.set("kind", row.kind == CaseKind::kReport ? "Report" : "Follow-up");
  d.set("sent", row.sent_day);
  d.set("received", row.received_day);
  d.set("status", std::string(Name(row.status)));
  d.set("outcome", Optional(row.outcome));
  d.set("urgent", row.urgent);
  d.set("raised_day", Optional(view->raise ? view->raise->day : std::string()));
  d.set("timeline", timeline);
  d.set("outcome_choices", choices);
  d.set("note_value", std::string(note));
  d.set("reply_value", std::string(reply));
  d.set("can_reply", forwards->empty());
  d.set("no_reply_reason", forwards->empty() ? std::string()
                                             : "This conversation was forwarded to " + forwards->front().to +
                                                   ": only " + forwards->front().to + " can reply.");
  // Forwarding needs the signed directory kept with the console (init --directory).
  PageData targets{PageData::type::list};
  std::string no_forward_reason;
  if (row.kind != CaseKind::kReport) {
    no_forward_reason = "Follow-ups move with their report: forward the report.";
  } else if (auto forces = ForwardTargets(store_, {}); !forces) {
    no_forward_reason = "Forwarding needs the signed force directory kept with this console (init --directory --root-pub): " +
                        forces.error().message;
  } else {
    for (const auto& [code, name] : *forces) {
      PageData t;
      t.set("value", code);
      t.set("label", code + " – " + name);
      t.set("selected", code == forward_to);
      targets.push_back(t);
    }
  }
  d.set("forward_targets", targets);
  d.set("can_forward", no_forward_reason.empty());
  d.set("no_forward_reason", no_forward_reason);
  d.set("done", Optional(std::string(done)));
  d.set("error", Optional(error));
  d.set("error_field", error_field ? error_field : "");
  Response res = Page(status, "case", "Case " + row.id.substr(0, 8), std::move(d), c.session);
  if (status == http::status::ok && done.empty()) {
    // Shown means sent to the officer's browser: only now are its follow-ups read.
    if (auto st = MarkCaseShown(store_, session.officer(), *view); !st) {
      return ErrorPage(http::status::internal_server_error, "The case could not be opened", st.error().message, c.session);
    }
  }
  return res;
}

Response ConsoleApp::GetCase(Context& c) {
  const std::string_view id = c.segments[1];
  if (!LooksLikeCaseId(id)) return ErrorPage(http::status::not_found, "No such case", "There is no case with this id.", c.session);
  auto query = Form::Parse(c.query);
  std::string_view done;
  if (query && query->Get("done") == "triaged") done = "Triage recorded.";
  if (query && query->Get("done") == "replied") done = "Reply sealed. It leaves with the next outbox.";
  if (query && query->Get("done") == "forwarded") done = "Report re-sealed to the other force. It leaves with the next outbox.";
  return CasePage(c, std::string(id), http::status::ok, done, "", nullptr, "", "", "");
}

Response ConsoleApp::PostTriage(Context& c) {
  const std::string id(c.segments[1]);
  if (!LooksLikeCaseId(id)) return ErrorPage(http::status::not_found, "No such case", "There is no case with this id.", c.session);
  const std::string outcome(c.form.Get("outcome"));
  const std::string_view note = c.form.Get("note");
  auto fail = [&](const std::string& message, const char* field) {
    return CasePage(c, id, http::status::bad_request, "", message, field, note, outcome, "");
  };
  if (!IsTriageOutcome(outcome)) return fail("Choose an outcome", "outcome-investigate");
  if (note.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail("Enter why (the note)", "note");
  if (note.size() > kMaxNoteBytes) return fail("The note must be at most 20,000 bytes", "note");
  auto row = store_.FindCase(id);
  if (!row) return ErrorPage(http::status::not_found, "No such case", row.error().message, c.session);
  if (auto st = RecordTriage(store_, c.session->officer(), row->id, outcome, note); !st) {
    return fail("The triage was not recorded: " + st.error().message, "note");
  }
  return RedirectTo("/cases/" + row->id + "?done=triaged");
}

Response ConsoleApp::PostReply(Context& c) {
  const std::string id(c.segments[1]);
  if (!LooksLikeCaseId(id)) return ErrorPage(http::status::not_found, "No such case", "There is no case with this id.", c.session);
  const std::string_view text = c.form.Get("text");
  auto row = store_.FindCase(id);
  if (!row) return ErrorPage(http::status::not_found, "No such case", row.error().message, c.session);
  auto sealed = SealReply(store_, c.session->officer(), *row, text);
  if (!sealed) {
    std::string message = sealed.error().message;
    if (!message.empty()) message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
    return CasePage(c, id, http::status::bad_request, "", message, "reply", "", "", text);
  }
  return RedirectTo("/cases/" + row->id + "?done=replied");
}

Response ConsoleApp::PostForward(Context& c) {
  const std::string id(c.segments[1]);
  if (!LooksLikeCaseId(id)) return ErrorPage(http::status::not_found, "No such case", "There is no case with this id.", c.session);
  const std::string to(c.form.Get("to"));
  auto row = store_.FindCase(id);
  if (!row) return ErrorPage(http::status::not_found, "No such case", row.error().message, c.session);
  if (to.empty()) return CasePage(c, id, http::status::bad_request, "", "Choose the force to forward to", "forward-to", "", "", "", to);
  auto forwarded = ForwardCase(store_, c.session->officer(), *row, to, {});
  if (!forwarded) {
    std::string message = forwarded.error().message;
    if (!message.empty()) message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
    return CasePage(c, id, http::status::bad_request, "", message, "forward-to", "", "", "", to);
  }
  return RedirectTo("/cases/" + row->id + "?done=forwarded");
}

}  // namespace sealdrop::console::web
