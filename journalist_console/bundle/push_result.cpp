#include "journalist_console/bundle/push_result.h"

#include <nlohmann/json.hpp>

#include <array>
#include <set>
#include <utility>

#include "crypto/directory.h"
#include "common/json_depth.h"
#include "journalist_console/bundle/bundle.h"

namespace sealdrop::bundle {
namespace {

constexpr std::array<std::pair<PushOutcome, std::string_view>, 3> kOutcomeNames = {{
    {PushOutcome::kDelivered, "delivered"},
    {PushOutcome::kRefused, "refused"},
    {PushOutcome::kRetry, "retry"},
}};

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kMalformed, "not a valid push result: " + what);
}

bool IsReasonText(std::string_view s) {
  if (s.size() > kMaxReasonBytes) return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::string_view PushOutcomeName(PushOutcome outcome) {
  for (const auto& [o, name] : kOutcomeNames) {
    if (o == outcome) return name;
  }
  Die("PushOutcomeName: unknown outcome");
}

std::optional<PushOutcome> PushOutcomeFromName(std::string_view name) {
  for (const auto& [o, n] : kOutcomeNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

std::string PushResultPath(const std::string& bundle_path) {
  return bundle_path + std::string(kPushResultSuffix);
}

std::string PushReason(std::string_view reason) {
  std::string out(reason.substr(0, kMaxReasonBytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

std::string EncodePushResult(const PushResult& r) {
  if (!IsValidForceCode(r.force) || !IsValidDay(r.day)) Die("EncodePushResult: bad header");
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : r.items) {
    if (!IsItemId(it.id) || (it.kind != "reply" && it.kind != "forward") || !IsReasonText(it.reason) ||
        (it.outcome == PushOutcome::kDelivered) != it.reason.empty()) {
      Die("EncodePushResult: bad item");
    }
    items.push_back({{"id", it.id},
                     {"kind", it.kind},
                     {"outcome", std::string(PushOutcomeName(it.outcome))},
                     {"reason", it.reason}});
  }
  const nlohmann::json j = {{"version", 1}, {"type", "push-result"}, {"force", r.force},
                            {"day", r.day},  {"items", std::move(items)}};
  return j.dump();
}

Result<PushResult> DecodePushResult(std::string_view text) {
  if (text.size() > kMaxPushResultBytes) return Malformed("too large");
  if (!JsonDepthWithin(text)) return Malformed("nested too deeply");
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed("not a JSON object");
  if (j.dump() != text) return Malformed("not in canonical form");
  auto str = [](const nlohmann::json& o, const char* k) -> std::optional<std::string> {
    if (!o.contains(k) || !o[k].is_string()) return std::nullopt;
    return o[k].get<std::string>();
  };
  if (j.size() != 5 || !j.contains("version") || !j["version"].is_number_unsigned() ||
      j["version"].get<std::uint64_t>() != 1 || str(j, "type") != "push-result" ||
      !j.contains("items") || !j["items"].is_array()) {
    return Malformed("members");
  }
  PushResult r;
  const auto force = str(j, "force");
  const auto day = str(j, "day");
  if (!force || !IsValidForceCode(*force) || !day || !IsValidDay(*day)) return Malformed("header");
  r.force = *force;
  r.day = *day;
  std::set<std::string> ids;
  for (const auto& e : j["items"]) {
    if (!e.is_object() || e.size() != 4) return Malformed("item members");
    const auto id = str(e, "id");
    const auto kind = str(e, "kind");
    const auto outcome_name = str(e, "outcome");
    const auto reason = str(e, "reason");
    if (!id || !IsItemId(*id) || !ids.insert(*id).second) return Malformed("item id");
    if (!kind || (*kind != "reply" && *kind != "forward")) return Malformed("item kind");
    const auto outcome = outcome_name ? PushOutcomeFromName(*outcome_name) : std::nullopt;
    if (!outcome) return Malformed("item outcome");
    if (!reason || !IsReasonText(*reason) || (*outcome == PushOutcome::kDelivered) != reason->empty()) {
      return Malformed("item reason");
    }
    r.items.push_back({*id, *kind, *outcome, *reason});
  }
  return r;
}

}  // namespace sealdrop::bundle
