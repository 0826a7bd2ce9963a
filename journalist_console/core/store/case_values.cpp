#include "journalist_console/core/store/case_values.h"

#include <utility>

namespace sealdrop::console {
namespace {

constexpr std::pair<CaseKind, std::string_view> kKindNames[] = {
    {CaseKind::kReport, "report"},
    {CaseKind::kFollowUp, "followup"},
};
constexpr std::pair<CaseStatus, std::string_view> kStatusNames[] = {
    {CaseStatus::kNew, "new"},
    {CaseStatus::kTriaged, "triaged"},
    {CaseStatus::kForwarded, "forwarded"},
};

template <class Enum, std::size_t N>
std::string_view NameIn(const std::pair<Enum, std::string_view> (&table)[N], Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";  // unreachable: every enumerator is in its table
}

template <class Enum, std::size_t N>
std::optional<Enum> ParseIn(const std::pair<Enum, std::string_view> (&table)[N], std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(CaseKind kind) { return NameIn(kKindNames, kind); }
std::string_view Name(CaseStatus status) { return NameIn(kStatusNames, status); }
std::optional<CaseKind> ParseCaseKind(std::string_view name) { return ParseIn(kKindNames, name); }
std::optional<CaseStatus> ParseCaseStatus(std::string_view name) { return ParseIn(kStatusNames, name); }

}  // namespace sealdrop::console
