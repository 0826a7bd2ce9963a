#include "server/pages/pages.h"

#include <map>
#include <mutex>

#include "common/result.h"
#include "server/i18n/catalogue.h"
#include "server/i18n/language_path.h"
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

// `welsh` when the operator gave one and the page is Welsh, else `english`.
const std::string& InLanguage(Language language, const std::string& english,
                              const std::string& welsh) {
  return language == Language::kWelsh && !welsh.empty() ? welsh : english;
}

// The operator's face (site_face.h), for the layout and every page's own template.
void AddFace(PageData& data, Language language) {
  const SiteFace& face = CurrentSiteFace();
  const std::string& operator_name =
      InLanguage(language, face.operator_name, face.operator_name_cy);
  const std::string& phone_hours = InLanguage(language, face.phone_hours, face.phone_hours_cy);
  data.set("service_name", InLanguage(language, face.service_name, face.service_name_cy));
  data.set("operator_name", operator_name);
  data.set("has_operator", !operator_name.empty());
  data.set("phone_number", face.phone_number);
  data.set("phone_hours", phone_hours);
  data.set("has_phone", !face.phone_number.empty());
  data.set("has_phone_hours", !phone_hours.empty());
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

// The page's language: the translating lambda, the link prefix and the lang attribute.
void AddLanguage(PageData& data, Language language) {
  data.set("t", kainjow::mustache::lambda{[language](const std::string& text) {
             return Translate(language, NormaliseMsgid(text));
           }});
  data.set("p", std::string(LanguagePrefix(language)));
  data.set("lang", language == Language::kWelsh ? "cy" : "en-GB");
}

}  // namespace

std::string RenderPage(const PageLanguage& page, std::string_view name,
                       std::string_view title_msgid, PageData data) {
  kainjow::mustache::mustache body(TemplateText(name));
  if (!body.is_valid()) Die("invalid page template");
  AddFace(data, page.language);
  AddLanguage(data, page.language);
  const std::string inner = body.render(data);
  kainjow::mustache::mustache layout(TemplateText("layout"));
  PageData outer;
  AddFace(outer, page.language);
  AddLanguage(outer, page.language);
  // The link to this page in the other language, named in that language (so a reader who
  // cannot read this page's language still finds it).
  const Language other =
      page.language == Language::kWelsh ? Language::kEnglish : Language::kWelsh;
  outer.set("other_href", LocalPath(other, page.path));
  outer.set("other_lang", std::string(LanguageCode(other)));
  outer.set("other_name", other == Language::kWelsh ? "Cymraeg" : "English");
  outer.set("switch_in_new_tab", page.switch_in_new_tab);
  outer.set("title", Translate(page.language, title_msgid));
  outer.set("body", inner);  // rendered with {{{body}}}: already escaped
  return layout.render(outer);
}

std::string RenderFragment(Language language, std::string_view name, PageData data) {
  kainjow::mustache::mustache part(TemplateText(name));
  if (!part.is_valid()) Die("invalid page template");
  AddFace(data, language);
  AddLanguage(data, language);
  return part.render(data);
}

}  // namespace sealdrop::server
