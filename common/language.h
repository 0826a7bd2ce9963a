// The languages a reporter can use the source interface in, and their codes (BCP 47 primary
// language subtags). One name table: the page's lang attribute, the /cy path prefix, the
// catalogue's folder and the sealed report's "language" member (docs/report.md §3) all use it.
#pragma once

#include <optional>
#include <span>
#include <string_view>

// Marks an English message (a msgid, docs/i18n.md) that is translated later, where the page's
// language is known: an Error's message, a table of titles. server/i18n/extract.py finds it.
#define N_(text) text

namespace sealdrop {

enum class Language { kEnglish, kWelsh };

// "en", "cy".
std::string_view LanguageCode(Language language);
// The language with `code`, exactly as LanguageCode() writes it; nullopt for anything else.
std::optional<Language> LanguageFromCode(std::string_view code);
// Every language, English (the default) first.
std::span<const Language> AllLanguages();

}  // namespace sealdrop
