#include "common/language.h"

#include <array>

namespace sealdrop {
namespace {

struct LanguageName {
  Language language;
  std::string_view code;
};
constexpr std::array<LanguageName, 2> kNames = {{
    {Language::kEnglish, "en"},
    {Language::kWelsh, "cy"},
}};
constexpr std::array<Language, 2> kAll = {Language::kEnglish, Language::kWelsh};

}  // namespace

std::string_view LanguageCode(Language language) {
  for (const auto& n : kNames) {
    if (n.language == language) return n.code;
  }
  return "en";
}

std::optional<Language> LanguageFromCode(std::string_view code) {
  for (const auto& n : kNames) {
    if (n.code == code) return n.language;
  }
  return std::nullopt;
}

std::span<const Language> AllLanguages() { return kAll; }

}  // namespace sealdrop
