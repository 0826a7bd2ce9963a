// The compiled catalogues (msgfmt's .mo files), embedded by server/i18n/embed_catalogues.cmake.
#pragma once

#include <cstddef>
#include <string_view>

namespace sealdrop::server {

struct EmbeddedCatalogue {
  std::string_view language;  // the catalogue's code: "cy"
  const char* bytes;
  std::size_t size;
};

extern const EmbeddedCatalogue kEmbeddedCatalogues[];
extern const std::size_t kEmbeddedCatalogueCount;

}  // namespace sealdrop::server
