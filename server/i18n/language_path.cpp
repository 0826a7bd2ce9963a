#include "server/i18n/language_path.h"

namespace sealdrop::server {

LocalTarget SplitLanguagePrefix(std::string_view target) {
  constexpr std::string_view kWelsh = "/cy";
  if (target == kWelsh) return {Language::kWelsh, "/"};
  if (target.starts_with(kWelsh) && target.size() > kWelsh.size() &&
      target[kWelsh.size()] == '/') {
    return {Language::kWelsh, target.substr(kWelsh.size())};
  }
  return {Language::kEnglish, target};
}

std::string_view LanguagePrefix(Language language) {
  return language == Language::kWelsh ? "/cy" : "";
}

std::string LocalPath(Language language, std::string_view path) {
  return std::string(LanguagePrefix(language)) + std::string(path);
}

}  // namespace sealdrop::server
