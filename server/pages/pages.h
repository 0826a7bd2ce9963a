// Page rendering: mustache templates (HTML-escaped by default) inside one layout.
#pragma once

#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>

namespace sealdrop::server {

using PageData = kainjow::mustache::data;

// Renders templates/<name>.mustache with `data`, inside templates/layout.mustache with `title`.
// Aborts if the template is missing (a build error, not an input error).
std::string RenderPage(std::string_view name, const std::string& title, PageData data);
// Renders templates/<name>.mustache alone (a part of a page, e.g. a warning banner).
std::string RenderFragment(std::string_view name, PageData data);

}  // namespace sealdrop::server
