// The console web face's end-to-end fixture (tests/web/console_web_*_test.cpp, one ctest
// `console_web`): the real `sealdrop-console serve` over a console store holding imported reports
// (a pull bundle sealed to the force's key, imported by the real CLI), officers with key slots
// (the supervisor "psd" and an assessor it added), and a tiny HTTP client with one cookie jar.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "common/io.h"
#include "crypto/envelope_writer.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/console_officer.h"
#include "tests/support/crafted_files.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/test_instance.h"

namespace sealdrop::web_test {


using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::TempDir;
using testing::TestInstance;

inline ProcessResult Console(std::vector<std::string> args) {
  args.insert(args.begin(), SEALDROP_CONSOLE_BIN);
  return RunProcess(args);
}

// One HTTP exchange, parsed; a tiny browser with one cookie jar.
struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; Set-Cookie joined by '\n'
  std::string body;
  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    out += (out.empty() ? "" : "&") + k + "=";
    for (const char ch : v) {
      const auto c = static_cast<unsigned char>(ch);
      if (std::isalnum(c)) {
        out.push_back(ch);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
  }
  return out;
}

class WebClient {
 public:
  explicit WebClient(std::string address) : address_(std::move(address)) {
    host_ = address_.rfind("unix:", 0) == 0 ? "localhost" : address_;
  }
  Reply Get(const std::string& target, const std::string& host = "") {
    return Exchange("GET " + target + " HTTP/1.1\r\n" + Headers(host) + "\r\n");
  }
  Reply Post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
             const std::string& origin = "") {
    const std::string body = FormEncode(fields);
    std::string head = "POST " + target + " HTTP/1.1\r\n" + Headers("") +
                       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n";
    head += "Origin: " + (origin.empty() ? "http://" + host_ : origin) + "\r\n";
    return Exchange(head + "\r\n" + body);
  }
  // The value of the hidden csrf field in `html`.
  static std::string Csrf(const std::string& html) {
    const std::string marker = "name=\"csrf\" value=\"";
    const auto at = html.find(marker);
    if (at == std::string::npos) return "";
    return html.substr(at + marker.size(), 64);
  }
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  std::string Headers(const std::string& host) {
    std::string h = "Host: " + (host.empty() ? host_ : host) + "\r\nConnection: close\r\n";
    std::string jar;
    for (const auto& [k, v] : cookies_) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) h += "Cookie: " + jar + "\r\n";
    return h;
  }
  Reply Exchange(const std::string& raw) {
    const std::string text = testing::HttpExchange(address_, raw);
    Reply r;
    const auto head_end = text.find("\r\n\r\n");
    if (head_end == std::string::npos) return r;
    std::istringstream head(text.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    if (line.size() > 12) r.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::string value = line.substr(colon + 2);
      auto& slot = r.headers[name];
      slot += (slot.empty() ? "" : "\n") + value;
      if (name == "set-cookie") {
        const std::string pair = value.substr(0, value.find(';'));
        const auto eq = pair.find('=');
        if (value.find("Max-Age=0") != std::string::npos) cookies_.erase(pair.substr(0, eq));
        else cookies_[pair.substr(0, eq)] = pair.substr(eq + 1);
      }
    }
    r.body = text.substr(head_end + 4);
    return r;
  }
  std::string address_;
  std::string host_;
  std::map<std::string, std::string> cookies_;
};

inline std::vector<std::uint8_t> Seal(const PublicKey& to, const nlohmann::json& meta) {
  MemorySink sink;
  const std::vector<PublicKey> keys = {to};
  auto w = SealedEnvelopeWriter::Begin(sink, keys, meta.dump());
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w->Finish().ok());
  return sink.bytes();
}

// An attachment: its name and bytes; an empty name for none.
using Attachment = std::pair<std::string, std::string>;
inline const std::string kUnknownBytes = std::string("\x01\x02unknown-bytes", 15);

// A PNG header claiming 30,000 x 30,000 pixels: refused before decoding.
inline std::string PngBomb() {
  std::string png("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
  for (std::uint32_t v : {30000u, 30000u}) {
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  }
  return png + std::string("\x08\x02\x00\x00\x00\x00\x00\x00\x00", 9);
}

inline std::vector<std::uint8_t> SealWith(const PublicKey& to, const nlohmann::json& meta, const Attachment& attachment) {
  if (attachment.first.empty()) return Seal(to, meta);
  const std::vector<PublicKey> keys = {to};
  auto sealed = SealToBytes(keys, meta.dump(), {attachment.first, "application/octet-stream"},
                            std::span(reinterpret_cast<const std::uint8_t*>(attachment.second.data()),
                                      attachment.second.size()));
  EXPECT_TRUE(sealed.ok());
  return sealed ? *sealed : std::vector<std::uint8_t>{};
}

// A report or follow-up to `to` with one attachment of `attachment_bytes` (made-up bytes).
inline std::vector<std::uint8_t> SealWithAttachment(const PublicKey& to, const nlohmann::json& meta,
                                             std::size_t attachment_bytes) {
  MemorySink sink;
  const std::vector<PublicKey> keys = {to};
  auto w = SealedEnvelopeWriter::Begin(sink, keys, meta.dump());
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w->BeginPart({"photo.bin", "application/octet-stream"}).ok());
  std::vector<std::uint8_t> block(1 << 16);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::uint8_t>(i * 31 + 7);
  for (std::size_t done = 0; done < attachment_bytes; done += block.size()) {
    EXPECT_TRUE(w->Write(std::span(block).first(std::min(block.size(), attachment_bytes - done))).ok());
  }
  EXPECT_TRUE(w->Finish().ok());
  return sink.bytes();
}

// The body of a chunked response, its chunks joined; "" if it is not well formed.
inline std::string Dechunk(const std::string& body) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) return "";
    const std::size_t size = std::stoul(body.substr(at, eol - at), nullptr, 16);
    if (size == 0) return body.substr(eol + 2) == "\r\n" ? out : "";
    if (eol + 2 + size + 2 > body.size() || body.compare(eol + 2 + size, 2, "\r\n") != 0) return "";
    out += body.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
}

inline std::size_t CountOf(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// One console with three reports and a follow-up, imported once for the whole suite (the key
// file costs an Argon2id).
class ConsoleWeb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    instance_ = new TestInstance({"MET", "WMI"});
    dir_ = new TempDir();
    key_ = instance_->SecretKeyFile("MET");
    const PublicKey& met = instance_->DecryptionKey("MET").public_key;
    photo_ = testing::JpegWithExifAndGps(64, 48);
    auto report = [&](const std::string& ref, const std::string& day, const std::string& category,
                      const std::string& at_risk, const std::string& what, const Attachment& attachment) {
      return SealWith(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", day},
                            {"source", {{"ref", ref}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                            {"category", category}, {"at_risk", at_risk}, {"what", what}},
                      attachment);
    };
    const std::string ref_a(64, 'a'), ref_b(64, 'b'), ref_c(64, 'c');
    const std::string old_day = testing::DayFromToday(-45);
    const std::string today = testing::DayFromToday(0);
    // Attachments (numbered per case item, as `show` numbers them): report A carries a file of
    // unknown type, report B a picture bomb, and C's follow-up a photo with EXIF and GPS.
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>> items = {
        {"report", report(ref_a, old_day, "corruption", "no", "Sells PNC checks to a private investigator.",
                          {"notes.xyz", kUnknownBytes})},
        {"report", report(ref_b, today, "domestic", "yes", "He controls his partner's money and phone.",
                          {"huge.png", PngBomb()})},
        {"report", report(ref_c, today, "corruption", "no", "Takes cash from a nightclub owner.", {})},
        {"followup", SealWith(met, {{"version", 1}, {"kind", "followup"}, {"force", "MET"}, {"day", today},
                                    {"source", {{"ref", ref_c}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                    {"message", "The owner is called Harrow."}, {"at_risk", "no"}, {"risk_details", ""}},
                              {"photo.jpg", photo_})}};
    auto w = bundle::BundleWriter::Create(P("pull.bundle"), "pull", "MET", today);
    ASSERT_TRUE(w.ok());
    for (const auto& [kind, bytes] : items) {
      MemorySource src(bytes);
      const std::string id = bundle::NewItemId();
      if (kind == "report" && bytes == items[0].second) id_a_ = id;
      if (kind == "report" && bytes == items[1].second) id_b_ = id;
      if (kind == "report" && bytes == items[2].second) id_c_ = id;
      if (kind == "followup") id_f_ = id;
      ASSERT_TRUE(w->AddItem({id, kind, today, 0, 0, "", "", ""}, src).ok());
    }
    ASSERT_TRUE(w->Commit().ok());
    ProcessResult p = Console(testing::ConsoleInit(P("console"), key_, instance_->passphrase_file(),
                                                   {"--directory", instance_->directory_file(),
                                                    "--root-pub", instance_->root_public_file()}));
    ASSERT_EQ(p.exit_code, 0) << p.err;
    p = Console(AsPsd({"import", "--data", P("console"), P("pull.bundle")}));
    ASSERT_EQ(p.exit_code, 0) << p.err;
    passphrase_ = testing::ReadFileOrDie(instance_->passphrase_file());
    while (!passphrase_.empty() && passphrase_.back() == '\n') passphrase_.pop_back();
    // A second officer, an assessor, added by the supervisor with their own passphrase.
    ASSERT_TRUE(WriteFileAtomically(P("assessor.pass"), kAssessorPassphrase + std::string("\n"), 0600, false).ok());
    p = Console(AsPsd({"officer", "add", "--data", P("console"), kAssessor, "--role", "assessor",
                       "--new-passphrase-file", P("assessor.pass")}));
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete instance_;
  }
  static std::string P(const std::string& name) { return (*dir_) / name; }
  // A console command signed in as the supervisor psd.
  static std::vector<std::string> AsPsd(std::vector<std::string> args) {
    return testing::SignedInAs(std::move(args), instance_->passphrase_file());
  }
  static constexpr const char* kAssessor = "assessor";
  static constexpr const char* kAssessorPassphrase = "the assessor's own passphrase";

  static ServerProcess Serve(const std::string& listen, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {SEALDROP_CONSOLE_BIN, "serve", "--data", P("console"), "--listen", listen};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return ServerProcess(argv);
  }
  // Posts the sign-in form as `officer` with `passphrase`.
  static Reply PostSignIn(WebClient& web, const std::string& officer, const std::string& passphrase) {
    const Reply form = web.Get("/sign-in");
    EXPECT_EQ(form.status, 200);
    return web.Post("/sign-in", {{"csrf", WebClient::Csrf(form.body)}, {"officer", officer},
                                 {"passphrase", passphrase}});
  }
  // Signs in as `officer` (psd's passphrase unless given); returns the case list page.
  static Reply SignIn(WebClient& web, const std::string& officer, const std::string& passphrase = "") {
    const Reply r = PostSignIn(web, officer, passphrase.empty() ? passphrase_ : passphrase);
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(r.Header("location"), "/cases");
    return web.Get("/cases");
  }
  static std::vector<std::string> CaseLinks(const std::string& html) {
    std::vector<std::string> ids;
    const std::string marker = "<td><a href=\"/cases/";
    for (auto at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
      ids.push_back(html.substr(at + marker.size(), 32));
    }
    return ids;
  }
  static long long Count(const std::string& sql) {
    return testing::QueryCount(P("console") + "/console.sqlite", sql);
  }

  inline static TestInstance* instance_ = nullptr;
  inline static TempDir* dir_ = nullptr;
  inline static std::string key_, passphrase_, id_a_, id_b_, id_c_, id_f_, photo_;
};

}  // namespace sealdrop::web_test
