#include "server/i18n/catalogue.h"

#include <boost/locale/generator.hpp>
#include <boost/locale/gnu_gettext.hpp>
#include <boost/locale/message.hpp>

#include <limits>
#include <locale>
#include <vector>

#include "common/result.h"
#include "server/i18n/embedded_catalogues.h"

namespace sealdrop::server {
namespace {

constexpr std::string_view kDomain = "sealdrop";

// Boost.Locale asks for "<path>/<locale folder>/LC_MESSAGES/sealdrop.mo"; the path is a name
// with no meaning on disk, and the answer comes from the binary, never from the file system
// (the server runs sandboxed, with ProtectSystem).
constexpr std::string_view kPath = "embedded";

std::vector<char> EmbeddedMo(const std::string& file_name, const std::string& /*encoding*/) {
  for (std::size_t i = 0; i < kEmbeddedCatalogueCount; ++i) {
    const EmbeddedCatalogue& c = kEmbeddedCatalogues[i];
    const std::string wanted = std::string(kPath) + "/" + std::string(c.language) +
                               "/LC_MESSAGES/" + std::string(kDomain) + ".mo";
    if (file_name == wanted) return {c.bytes, c.bytes + c.size};
  }
  return {};
}

// GCC 12 warns, wrongly, that Boost.Locale's messages_info copies an uninitialised string
// (its short-string buffer, through create_messages_facet's copy of `info`).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
struct Catalogues {
  std::locale welsh;

  Catalogues() {
    // Built once: ICU's locale data is read here, before the sandbox.
    boost::locale::generator generator;
    const std::locale base = generator("cy_GB.UTF-8");
    boost::locale::gnu_gettext::messages_info info;
    info.language = "cy";
    info.country = "GB";
    info.encoding = "UTF-8";
    info.paths.emplace_back(kPath);
    info.domains.emplace_back(std::string(kDomain));
    info.callback = EmbeddedMo;
    welsh = std::locale(base, boost::locale::gnu_gettext::create_messages_facet<char>(info));
    // A catalogue that silently failed to load would show every Welsh page in English.
    if (boost::locale::translate("Skip to main content").str(welsh) == "Skip to main content") {
      Die("the Welsh catalogue did not load");
    }
  }
};

#pragma GCC diagnostic pop

const Catalogues& Get() {
  static const Catalogues catalogues;
  return catalogues;
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

void LoadCatalogues() { (void)Get(); }

std::string Translate(Language language, std::string_view msgid) {
  if (language == Language::kEnglish) return std::string(msgid);
  return boost::locale::translate(std::string(msgid)).str(Get().welsh);
}

std::string TranslatePlural(Language language, std::string_view singular,
                            std::string_view plural, std::uint64_t n) {
  // gettext counts in int; any count past that takes the form of a large number.
  const int count = n > static_cast<std::uint64_t>(std::numeric_limits<int>::max())
                        ? std::numeric_limits<int>::max()
                        : static_cast<int>(n);
  std::string text;
  if (language == Language::kEnglish) {
    text = std::string(n == 1 ? singular : plural);
  } else {
    text = boost::locale::translate(std::string(singular), std::string(plural), count)
               .str(Get().welsh);
  }
  ReplaceAll(text, "{n}", std::to_string(n));
  return text;
}

std::string NormaliseMsgid(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace sealdrop::server
