// Page rendering: mustache templates (HTML-escaped by default) inside one layout, in the page's
// language (server/i18n/catalogue.h).
//
// Every template gets, besides its own data and the site's face:
//   {{#t}}English words{{/t}}  the words in the page's language (a msgid: catalogue.h); they may
//                              hold markup and {{tags}}, rendered after translation
//   {{p}}                      the language's path prefix, before every local link and action:
//                              href="{{p}}/report" ("" or "/cy")
//   {{lang}}                   the page's lang attribute ("en-GB", "cy")
#pragma once

#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>

#include "common/language.h"

namespace sealdrop::server {

using PageData = kainjow::mustache::data;

// Which language a page is in, and where its language-switch link goes: the same `path`
// (without prefix) in the other language. For a page that answers a POST, a GET path that shows
// the same place (the form it came from).
struct PageLanguage {
  Language language = Language::kEnglish;
  std::string path = "/";
  // The page holds what cannot be shown again (a codename, words typed into a refused form): the
  // switch opens in a new tab, so that this page stays where it is.
  bool switch_in_new_tab = false;
};

// Renders templates/<name>.mustache with `data`, inside templates/layout.mustache titled with
// `title_msgid` translated. Aborts if the template is missing (a build error, not an input
// error).
std::string RenderPage(const PageLanguage& page, std::string_view name,
                       std::string_view title_msgid, PageData data);
// Renders templates/<name>.mustache alone (a part of a page, e.g. a warning banner).
std::string RenderFragment(Language language, std::string_view name, PageData data);

}  // namespace sealdrop::server
