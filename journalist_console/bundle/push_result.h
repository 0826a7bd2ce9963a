// Push results: what `sealdrop-transfer push` did with each item of an outbox bundle, written
// next to the bundle on the removable media so that the air-gapped console learns it at its next
// `import` or `outbox`. Spec: docs/bundle.md §4. The one codec for the format.
//
// A result names items by their outbox id only, with a short reason that never holds content.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sealdrop::bundle {

enum class PushOutcome {
  kDelivered,  // the server holds it (stored now or by an earlier push)
  kRefused,    // the server refused this item and would refuse it again (400, 404, 409, 413)
  kRetry,      // not delivered for a reason that may pass (no answer, 401, 5xx, media error)
};
std::string_view PushOutcomeName(PushOutcome outcome);
std::optional<PushOutcome> PushOutcomeFromName(std::string_view name);

struct PushItemResult {
  std::string id;    // the outbox item id (32 hex)
  std::string kind;  // "reply" | "forward" (as in the bundle)
  PushOutcome outcome = PushOutcome::kRetry;
  std::string reason;  // "" when delivered; else printable ASCII, at most kMaxReasonBytes
};

struct PushResult {
  std::string force;  // the force whose bundle it was
  std::string day;    // the UTC day of the push
  std::vector<PushItemResult> items;
};

inline constexpr std::string_view kPushResultSuffix = ".push-result.json";
inline constexpr std::size_t kMaxReasonBytes = 300;
inline constexpr std::size_t kMaxPushResultBytes = 4u << 20;

// BUNDLE + kPushResultSuffix.
std::string PushResultPath(const std::string& bundle_path);
// `reason` made fit for a result: control and non-ASCII bytes become '?', cut to the limit.
std::string PushReason(std::string_view reason);

// Canonical JSON (docs/envelope.md §7.1). REQUIRES: every field valid (reasons via PushReason).
std::string EncodePushResult(const PushResult& result);
// Refuses (kMalformed) anything but the exact form of docs/bundle.md §4.
Result<PushResult> DecodePushResult(std::string_view text);

}  // namespace sealdrop::bundle
