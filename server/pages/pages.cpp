#include "server/pages/pages.h"

#include <map>
#include <mutex>

#include "common/result.h"
#include "server/pages/embedded.h"
#include "server/pages/site_face.h"

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

// The operator's face (site_face.h), for the layout and every page's own template.
void AddFace(PageData& data) {
  const SiteFace& face = CurrentSiteFace();
  data.set("service_name", face.service_name);
  data.set("operator_name", face.operator_name);
  data.set("has_operator", !face.operator_name.empty());
  data.set("phone_number", face.phone_number);
  data.set("phone_hours", face.phone_hours);
  data.set("has_phone", !face.phone_number.empty());
  data.set("has_phone_hours", !face.phone_hours.empty());
  // A tel: link dials digits only ("0800 123 4567" -> tel:08001234567).
  std::string tel;
  for (const char c : face.phone_number) {
    if ((c >= '0' && c <= '9') || (c == '+' && tel.empty())) tel.push_back(c);
  }
  data.set("phone_tel", tel);
  data.set("exit_url", face.exit_url);
  data.set("retention_days", std::to_string(face.retention_days));
  data.set("session_idle_minutes", std::to_string(face.session_idle_minutes));
}

}  // namespace

std::string RenderPage(std::string_view name, const std::string& title, PageData data) {
  kainjow::mustache::mustache body(TemplateText(name));
  if (!body.is_valid()) Die("invalid page template");
  AddFace(data);
  const std::string inner = body.render(data);
  kainjow::mustache::mustache layout(TemplateText("layout"));
  PageData outer;
  AddFace(outer);
  outer.set("title", title);
  outer.set("body", inner);  // rendered with {{{body}}}: already escaped
  return layout.render(outer);
}

}  // namespace sealdrop::server

namespace sealdrop::server {

std::string RenderFragment(std::string_view name, PageData data) {
  kainjow::mustache::mustache part(TemplateText(name));
  if (!part.is_valid()) Die("invalid page template");
  AddFace(data);
  return part.render(data);
}

}  // namespace sealdrop::server
