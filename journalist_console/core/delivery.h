// What became of the replies and forwards the console sealed: `sealdrop-transfer push` writes a
// push result next to the outbox bundle (docs/bundle.md §4); the console reads the results on
// the same media at its next `import` or `outbox`, records them, and tells the officer about
// every item not delivered. Spec: docs/console.md §2.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

enum class NextOutbox { kThisOne, kTheNextOne };

// What reading push results has to tell the officer, in order. The command line prints kNote
// and kNotDelivered on stdout and kWarning on stderr ("sealdrop-console: warning: ..."); the
// web face shows them on the page, kNotDelivered prominently.
struct PushNotice {
  enum class Kind { kNote, kNotDelivered, kWarning };
  Kind kind;
  std::string text;  // one line, safe for a terminal (TerminalSafe)
};

// Reads every push result in `media_dir` this console has not read yet and records it. A file
// that is not a valid push result, or another force's, is skipped with a warning: it never
// stops an import or an outbox. Each result read is audited as done by `officer`. Errors are the
// store's; the notices gathered before one are kept in `*notices` all the same.
Status ReadPushResults(ConsoleStore& store, const std::string& officer, const std::string& media_dir,
                       NextOutbox next, std::vector<PushNotice>* notices);

// "reply to case 1a2b3c4d", "forward of case 1a2b3c4d to WMI".
std::string OutboxLabel(const OutboxRow& row);
// Where an outbox item is: waiting, in a bundle, delivered, or not delivered and why.
std::string DeliveryText(const OutboxRow& row, const DeliveryRow* delivery);
// Whether the officer must be told (not delivered, refused or to be sent again).
bool NeedsAttention(const DeliveryRow* delivery);

// Every reply or forward the officer must be told about (NeedsAttention), in outbox order.
struct Undelivered {
  std::string label;  // OutboxLabel()
  std::string day;    // the day it was sealed
  std::string state;  // DeliveryText()
};
Result<std::vector<Undelivered>> ListUndelivered(ConsoleStore& store);

}  // namespace sealdrop::console
