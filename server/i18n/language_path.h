// The page's language is in its path: English at the plain paths (/, /report, /login, ...),
// Welsh under /cy (/cy/, /cy/report, /cy/login, ...). No cookie and no Accept-Language (Tor
// Browser sends en-US whatever its user speaks): a link, a bookmark or a form's action says the
// language, and every answer (a POST's page, a redirect) keeps the one it came with.
#pragma once

#include <string>
#include <string_view>

#include "common/language.h"

namespace sealdrop::server {

struct LocalTarget {
  Language language;
  std::string_view path;  // without the language prefix; "/" for "/cy" and "/cy/"
};

// "/cy" and "/cy/..." are Welsh, every other target English (and unchanged).
LocalTarget SplitLanguagePrefix(std::string_view target);

// "" for English, "/cy" for Welsh: what goes before a path in a link or a form's action.
std::string_view LanguagePrefix(Language language);

// `path` (starting with '/') in `language`: "/report" -> "/cy/report", "/" -> "/cy/".
std::string LocalPath(Language language, std::string_view path);

}  // namespace sealdrop::server
