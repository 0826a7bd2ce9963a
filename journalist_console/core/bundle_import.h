// Importing a pull bundle (sealdrop-transfer pull) into the console: the one import both faces
// run (`sealdrop-console import`, the web face's POST /media/import). Spec: docs/console.md §2.
//
// All or nothing: the whole bundle is verified first (BundleReader::Open), then every new item
// is opened to its verified end with the force key while its bytes are copied into the store;
// only when every one opened are they made durable and named by rows, in one transaction. Any
// failure before that leaves the console as it was ("nothing was imported"). Push results on the
// same media are read once the bundle verified and before its items are opened, so the officer
// learns what was not delivered even when an item turns out to be bad.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/result.h"
#include "journalist_console/core/delivery.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

// The two passes over the bundle's bytes: verifying its digests, then opening and copying its
// new items (the bytes of items already here count as done at once).
enum class ImportStage { kChecking, kImporting };
using ImportProgressFn = std::function<void(ImportStage stage, std::uint64_t done, std::uint64_t total)>;

struct ImportResult {
  // What push results on the media said (kept when the import fails: they were recorded).
  std::vector<PushNotice> push_notices;
  // Ok, or why nothing was imported; when `committed` is true the items are in and the message
  // says what else failed (e.g. recording which receipts came back).
  Status status;
  bool committed = false;
  std::size_t imported = 0;  // new items
  std::size_t already = 0;   // items this console had already
  // Reports a follow-up of this bundle raised to at-risk (each audited as "at-risk").
  std::vector<RiskRaise> raised;
};

// Imports `bundle_path` as `officer`, who must be signed in (their key opens the items). The
// audit gets "import" (and "push-result", "at-risk") entries naming the officer. `progress` may
// be empty; it runs on this thread, between blocks of 64 KiB.
[[nodiscard]] ImportResult ImportBundle(ConsoleStore& store, const OfficerSession& officer,
                                        const std::string& bundle_path, const ImportProgressFn& progress);

}  // namespace sealdrop::console
