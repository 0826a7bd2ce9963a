// What an officer does to a case, written once for both faces (cli/ and web/): the triage
// outcomes, recording a triage, sealing a reply into the outbox, the order of the case list, the
// counts of `stats`. Each action that changes the store is done by the signed-in officer (their
// session holds the force key) and writes its audit entry naming them. Spec: docs/console.md.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/keys.h"
#include "crypto/secret_buffer.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

// The triage outcomes, in the order forms offer them.
const std::vector<std::string>& TriageOutcomes();
bool IsTriageOutcome(std::string_view outcome);
// "investigate, safeguard, ..." for messages.
std::string TriageOutcomeList();

// Records `by`'s triage of case `case_id` with its note sealed at rest, and audits it.
// kInvalidArgument for an outcome not in TriageOutcomes().
Status RecordTriage(ConsoleStore& store, const OfficerSession& by, const std::string& case_id,
                    const std::string& outcome, std::string_view note);

// The longest reply a reporter can be sent.
inline constexpr std::size_t kMaxReplyBytes = 100'000;
// kInvalidArgument (with the force and day) when the conversation of case `c` was forwarded to
// another force: only that force may reply. Checked by SealReply; a face may ask first, before
// the officer writes anything.
Status CheckRepliable(ConsoleStore& store, const CaseRow& c);
// Seals `text` to the reporter of case `c` into the outbox (it leaves with the next `outbox`),
// keeps it sealed for the case view, and audits it. Returns the outbox item id. Refused
// (kInvalidArgument, nothing written) when the text is empty, too long, not UTF-8 or holds NUL,
// when the case carries no reply address, or when the conversation was forwarded to another
// force (only that force may reply).
Result<std::string> SealReply(ConsoleStore& store, const OfficerSession& by, const CaseRow& c,
                              std::string_view text);

// Where `forward` finds the signed force directory and the pinned root key: the given paths,
// or the ones kept in the console directory by `init` ("" for each).
struct DirectoryFiles {
  std::string directory;  // "" : DIR/directory.signed
  std::string root_pub;   // "" : DIR/root.public
};
// The forces a case may be forwarded to (code, name), from the verified directory, this
// console's own force left out.
Result<std::vector<std::pair<std::string, std::string>>> ForwardTargets(ConsoleStore& store,
                                                                         const DirectoryFiles& files);
// Re-seals report `c` whole (attachments included, "forwarded_by" added) to force `to`'s keys
// from the verified directory into the outbox, marks the case forwarded, and audits it.
// Returns "CODE (NAME)". Refused (nothing written) for a follow-up, for this console's own force,
// for a force it was already forwarded to, or a code not in the directory.
Result<std::string> ForwardCase(ConsoleStore& store, const OfficerSession& by, const CaseRow& c,
                                const std::string& to, const DirectoryFiles& files);

// The case list's order: someone at risk first, then cases with a follow-up not yet shown
// (`unread` counts per source reference), then the newest.
void SortForList(std::vector<CaseRow>& cases, const std::map<std::string, std::size_t>& unread);

// What `stats` counts (reports only in the maps; follow-ups counted apart).
// Counts for `stats` and the statistics page, each in the order it is shown.
using Counts = std::vector<std::pair<std::string, int>>;
struct CaseCounts {
  int reports = 0;
  int followups = 0;
  int urgent = 0;
  Counts months;          // "YYYY-MM" of the sent day, oldest first
  Counts categories;      // "(not given)" when empty
  Counts outcomes;        // "(not yet triaged)" when empty
  Counts time_to_triage;  // days from import to first triage, in fixed buckets, every bucket shown
  int triaged = 0;        // reports with a triage
  int median_days_to_triage = -1;  // -1 until a report is triaged
};
// `first_triage`: ConsoleStore::FirstTriageDays().
CaseCounts CountCases(const std::vector<CaseRow>& cases,
                      const std::map<std::string, std::string>& first_triage);
// The same, read from the store.
Result<CaseCounts> CountCases(const ConsoleStore& store);

}  // namespace sealdrop::console
