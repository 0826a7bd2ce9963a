#include "common/import_receipt.h"

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/force_code.h"
#include "common/json_depth.h"

namespace sealdrop {
namespace {

constexpr std::string_view kType = "import-receipt";

bool IsLowerHex32(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kMalformed, "not a valid import receipt: " + what);
}

}  // namespace

bool IsValidImportReceipt(const ImportReceipt& r) {
  if (!IsLowerHex32(r.id) || !IsValidForceCode(r.force) || !IsValidDay(r.day)) return false;
  if (r.items.empty() || r.items.size() > kMaxReceiptItems) return false;
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    if (!IsLowerHex32(r.items[i])) return false;
    // Strictly increasing: sorted and without repeats, so a receipt has one encoding.
    if (i > 0 && !(r.items[i - 1] < r.items[i])) return false;
  }
  return true;
}

std::string EncodeImportReceipt(const ImportReceipt& r) {
  if (!IsValidImportReceipt(r)) Die("EncodeImportReceipt: invalid receipt");
  const nlohmann::json j = {{"version", 1}, {"type", kType},   {"id", r.id},
                            {"force", r.force}, {"day", r.day}, {"items", r.items}};
  return j.dump();
}

Result<ImportReceipt> ParseImportReceipt(std::string_view text) {
  if (text.size() > kMaxReceiptBytes) return Malformed("too long");
  if (!JsonDepthWithin(text)) return Malformed("nested too deeply");
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed("not a JSON object");
  if (j.dump() != text) return Malformed("not in canonical form");
  auto str = [&j](const char* k) -> std::string {
    const auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto version = j.find("version");
  const auto items = j.find("items");
  if (j.size() != 6 || version == j.end() || !version->is_number_unsigned() ||
      version->get<std::uint64_t>() != 1 || str("type") != kType || items == j.end() ||
      !items->is_array()) {
    return Malformed("members");
  }
  ImportReceipt r{str("id"), str("force"), str("day"), {}};
  for (const auto& e : *items) {
    if (!e.is_string()) return Malformed("item ids");
    r.items.push_back(e.get<std::string>());
  }
  if (!IsValidImportReceipt(r)) return Malformed("fields");
  return r;
}

}  // namespace sealdrop
