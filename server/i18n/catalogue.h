// The source interface's words in every language: gettext catalogues (server/i18n/<code>.po,
// compiled by msgfmt at build time and embedded in the binary like the templates), read through
// Boost.Locale. How translation works and how to add a language: docs/i18n.md.
//
// A msgid is the English text itself, so English needs no catalogue and an untranslated message
// shows in English rather than as a key. Templates mark their words with {{#t}}…{{/t}}
// (pages.cpp); C++ marks them with Translate(), TranslatePlural() or N_() (a message kept in
// English and translated where it reaches a page). server/i18n/extract.py finds all three.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/language.h"

namespace sealdrop::server {

// Builds the Boost.Locale generator's locales and loads the embedded catalogues. Called by
// main() before the sandbox (the locales are built once; nothing is read later). Aborts if a
// catalogue does not load: a build error, not an input error. Safe to call more than once; the
// first Translate*() call does it otherwise.
void LoadCatalogues();

// `msgid` in `language`; `msgid` itself when the catalogue lacks it (and always in English).
std::string Translate(Language language, std::string_view msgid);

// The plural form for `n` (Welsh has six: docs/i18n.md), with every "{n}" in it replaced by n.
std::string TranslatePlural(Language language, std::string_view singular,
                            std::string_view plural, std::uint64_t n);

// A template section's text as a msgid: runs of white space become one space, none at either
// end. The extractor does the same, so a template may wrap its sentences freely.
std::string NormaliseMsgid(std::string_view text);

}  // namespace sealdrop::server
