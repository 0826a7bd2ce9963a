#include "server/pages/pages.h"

#include <map>
#include <mutex>

#include "common/result.h"
#include "server/pages/embedded.h"

namespace sealdrop::server {

std::optional<std::string_view> FindEmbedded(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (kEmbeddedFiles[i].name == name) return kEmbeddedFiles[i].contents;
  }
  return std::nullopt;
}

namespace {

const std::string& TemplateText(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::string, std::less<>> cache;
  std::lock_guard lock(mu);
  const auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  const auto text = FindEmbedded("templates/" + std::string(name) + ".mustache");
  if (!text) Die("missing page template");
  return cache.emplace(std::string(name), std::string(*text)).first->second;
}

}  // namespace

std::string RenderPage(std::string_view name, const std::string& title, PageData data) {
  kainjow::mustache::mustache body(TemplateText(name));
  if (!body.is_valid()) Die("invalid page template");
  const std::string inner = body.render(data);
  kainjow::mustache::mustache layout(TemplateText("layout"));
  PageData outer;
  outer.set("title", title);
  outer.set("body", inner);  // rendered with {{{body}}}: already escaped
  return layout.render(outer);
}

}  // namespace sealdrop::server
