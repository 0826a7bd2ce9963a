// Files compiled into the server: HTML templates and the stylesheet (server/templates,
// server/static). Nothing is read from disk at run time, so a deployment cannot serve a stale or
// tampered template.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sealdrop::server {

struct EmbeddedFile {
  std::string_view name;  // e.g. "templates/landing.mustache", "static/style.css"
  std::string_view contents;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

std::optional<std::string_view> FindEmbedded(std::string_view name);

}  // namespace sealdrop::server
