// Writing the outbox (waiting replies and forwards, and the import receipt) into a bundle for
// `sealdrop-transfer push`: the one outbox both faces run (`sealdrop-console outbox`, the web
// face's POST /media/outbox). Spec: docs/console.md §2, the bundle: docs/bundle.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/result.h"
#include "journalist_console/core/delivery.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

struct OutboxResult {
  // What push results on the media said (kept when the outbox fails: they were recorded).
  std::vector<PushNotice> push_notices;
  Status status;               // ok, or why no bundle was written
  bool nothing_to_send = false;  // no replies, no forwards, no item to receipt: no file written
  std::size_t items = 0;       // replies and forwards in the bundle
  std::size_t receipted = 0;   // imported items its receipt names
};

// Reads the push results in `out`'s directory, then writes the outbox to `out` (never over an
// existing file; the bundle appears whole or not at all) and marks its items sent. Audited as
// "outbox" by `officer`. `progress` sees the bytes of the items copied.
[[nodiscard]] OutboxResult WriteOutbox(ConsoleStore& store, const OfficerSession& officer,
                                       const std::string& out, const ByteProgressFn& progress);

// A name for a new outbox in `media_dir` that is not taken yet: outbox-DAY.bundle, then
// outbox-DAY-2.bundle, -3 ... (nullopt after 999). Only a suggestion: WriteOutbox still refuses
// a name taken in the meantime.
std::optional<std::string> NextOutboxName(const std::string& media_dir, const std::string& day);

}  // namespace sealdrop::console
