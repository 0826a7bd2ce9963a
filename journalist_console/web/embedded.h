// Files compiled into the web face: its templates (web/templates), its stylesheet (web/static)
// and the source interface's stylesheet (server/static/style.css, the same calm style; only the
// file is shared, no server code). Nothing is read from disk at run time.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sealdrop::console::web {

struct EmbeddedFile {
  std::string_view name;  // relative to journalist_console/web, e.g. "templates/case.mustache"
  std::string_view contents;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

std::optional<std::string_view> FindEmbedded(std::string_view name);

}  // namespace sealdrop::console::web
