// A case as an officer reads it, for both faces (cli `show`, the web's case page): the report
// opened to its verified end, its conversation's follow-ups, the triage history with who and
// when (from the audit chain), and the replies and forwards with their delivery state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/keys.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

struct FollowUpView {
  CaseRow row;
  std::optional<OpenedItem> item;  // nullopt: it cannot be opened (damaged)
  bool unread = false;             // not shown to an officer before this view
};

struct TriageView {
  TriageRow row;
  std::optional<std::string> note;  // nullopt: damaged
  std::string actor;                // the officer who recorded it (the audit's actor before officers)
  std::string at;                   // its UTC timestamp, from the audit entry ("" if none)
};

struct OutboxView {
  OutboxRow row;
  std::optional<std::string> text;  // replies: the text (nullopt: damaged); forwards: nullopt
  std::string state;                // DeliveryText()
};

struct CaseView {
  CaseRow row;
  OpenedItem item;
  std::optional<RiskRaise> raise;       // raised to at-risk by a follow-up
  std::vector<FollowUpView> followups;  // reports only, in the order they were sent
  std::vector<TriageView> triage;       // oldest first
  std::vector<OutboxView> outbox;       // replies and forwards of this case, oldest first
};

// An opened item's fields as an officer reads them, in the form's order, empty ones left out:
// a report's (force chosen ... how they know) or a follow-up's (message, at risk now, details).
struct LabelledField {
  std::string label;
  std::string value;  // untrusted text: each face makes it safe for where it shows it
};
std::vector<LabelledField> ItemFields(const nlohmann::json& meta, CaseKind kind);
// The contact details a reporter chose to leave (name, phone, email, safe times); nullopt when
// they stayed anonymous (replies go through SealDrop only).
std::optional<std::vector<LabelledField>> ContactFields(const nlohmann::json& meta);

// Loads case `id_or_prefix` (see ConsoleStore::FindCase) with everything above. Changes nothing.
Result<CaseView> LoadCaseView(ConsoleStore& store, const KeyPair& key, const std::string& id_or_prefix);

// Once the view was shown to `by`: its follow-ups (or the follow-up itself) are read, and the
// audit records their "show".
Status MarkCaseShown(ConsoleStore& store, const OfficerSession& by, const CaseView& view);

}  // namespace sealdrop::console
