#include "journalist_console/core/case_view.h"

#include <set>

#include "crypto/sealed_field.h"
#include "journalist_console/core/delivery.h"

namespace sealdrop::console {

namespace {

void Add(std::vector<LabelledField>& out, const char* label, const std::string& value) {
  if (!value.empty()) out.push_back({label, value});
}

}  // namespace

std::vector<LabelledField> ItemFields(const nlohmann::json& m, CaseKind kind) {
  std::vector<LabelledField> f;
  if (kind != CaseKind::kReport) {
    Add(f, "Message", JsonString(m, "message"));
    Add(f, "At risk now", JsonString(m, "at_risk"));
    Add(f, "Risk details", JsonString(m, "risk_details"));
    return f;
  }
  Add(f, "Force chosen", JsonString(m, "force"));
  const std::string lang = JsonString(m, "language");  // docs/report.md §3: none means "en"
  Add(f, "Language", lang == "cy" ? "Welsh (cy)" : lang.empty() || lang == "en" ? "English" : lang);
  Add(f, "Forwarded by", JsonString(m, "forwarded_by"));
  Add(f, "Category", JsonString(m, "category"));
  Add(f, "Role", JsonString(m, "role"));
  if (m.contains("subject")) {
    Add(f, "Name", JsonString(m["subject"], "name"));
    Add(f, "Collar/staff number", JsonString(m["subject"], "number"));
    Add(f, "Description", JsonString(m["subject"], "description"));
  }
  Add(f, "What happened", JsonString(m, "what"));
  Add(f, "When", JsonString(m, "when"));
  Add(f, "Where", JsonString(m, "where"));
  Add(f, "On duty", JsonString(m, "duty"));
  Add(f, "Setting", JsonString(m, "setting"));
  Add(f, "At risk", JsonString(m, "at_risk"));
  Add(f, "Risk details", JsonString(m, "risk_details"));
  Add(f, "How they know", JsonString(m, "how_known"));
  return f;
}

std::optional<std::vector<LabelledField>> ContactFields(const nlohmann::json& m) {
  if (!m.contains("contact") || JsonString(m["contact"], "mode") != "details") return std::nullopt;
  std::vector<LabelledField> f;
  Add(f, "name", JsonString(m["contact"], "name"));
  Add(f, "phone", JsonString(m["contact"], "phone"));
  Add(f, "email", JsonString(m["contact"], "email"));
  Add(f, "safe times", JsonString(m["contact"], "times"));
  return f;
}

Result<CaseView> LoadCaseView(ConsoleStore& store, const KeyPair& key, const std::string& id_or_prefix) {
  auto c = store.FindCase(id_or_prefix);
  if (!c) return c.error();
  auto item = ReadSealedItem(store.SealedPath(c->id), key);
  if (!item) return item.error();
  CaseView v;
  v.row = *c;
  v.item = std::move(*item);
  auto raises = store.RiskRaises();
  if (!raises) return raises.error();
  if (const auto r = raises->find(c->id); r != raises->end()) v.raise = r->second;

  auto unread_ids = store.UnreadFollowUps();
  if (!unread_ids) return unread_ids.error();
  const std::set<std::string> unread(unread_ids->begin(), unread_ids->end());
  if (c->kind == CaseKind::kReport) {
    auto fus = store.FollowUps(c->source_ref);
    if (!fus) return fus.error();
    for (auto& f : *fus) {
      auto fi = ReadSealedItem(store.SealedPath(f.id), key);
      FollowUpView fv{.row = f, .item = std::nullopt, .unread = unread.count(f.id) > 0};
      if (fi) fv.item = std::move(*fi);
      v.followups.push_back(std::move(fv));
    }
  }

  const FieldSealer sealer(key);
  auto triage = store.Triage(c->id);
  if (!triage) return triage.error();
  // Who triaged and when: the audit chain's "triage" entries of this case, in the same order.
  auto log = store.AuditLog();
  if (!log) return log.error();
  std::vector<const AuditEntry*> triage_entries;
  for (const auto& e : *log) {
    if (e.action == "triage" && e.item == c->id) triage_entries.push_back(&e);
  }
  for (std::size_t i = 0; i < triage->size(); ++i) {
    const TriageRow& t = (*triage)[i];
    TriageView tv{.row = t, .note = std::nullopt, .actor = t.officer, .at = ""};
    if (auto note = sealer.Open(c->id + "|note|" + std::to_string(t.seq), t.note)) tv.note = std::move(*note);
    if (i < triage_entries.size()) {
      if (tv.actor.empty()) tv.actor = triage_entries[i]->actor;
      tv.at = triage_entries[i]->at;
    }
    v.triage.push_back(std::move(tv));
  }

  auto outbox = store.Outbox(/*include_exported=*/true);
  if (!outbox) return outbox.error();
  auto deliveries = store.Deliveries();
  if (!deliveries) return deliveries.error();
  for (auto& r : *outbox) {
    if (r.case_id != c->id) continue;
    const auto d = deliveries->find(r.id);
    OutboxView ov{.row = r, .text = std::nullopt,
                  .state = DeliveryText(r, d == deliveries->end() ? nullptr : &d->second)};
    if (r.kind == "reply") {
      if (auto text = sealer.Open(r.id + "|reply", r.text)) ov.text = std::move(*text);
    }
    v.outbox.push_back(std::move(ov));
  }
  return v;
}

Status MarkCaseShown(ConsoleStore& store, const OfficerSession& by, const CaseView& view) {
  std::vector<std::string> now_read;
  if (view.row.kind != CaseKind::kReport) now_read.push_back(view.row.id);
  for (const auto& f : view.followups) {
    if (f.item) now_read.push_back(f.row.id);
  }
  if (auto st = store.MarkFollowUpsRead(now_read); !st) return st;
  return store.Audit(by.name(), "show", view.row.id, "");
}

}  // namespace sealdrop::console
