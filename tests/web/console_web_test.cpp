// sealdrop-console serve end to end: the real binary on 127.0.0.1:0 (and a unix socket) over a
// console store holding imported reports (a pull bundle sealed to the force's key, imported by the
// real CLI). The console's officers are accounts with key slots (tests/support/console_officer.h):
// the supervisor "psd" signs in, lists, filters, searches, opens a case with a follow-up,
// triages, replies and forwards; the CLI then sees the triage, the reply and the outbox item, and
// the audit chain names the officer. An assessor the supervisor added signs in too, the audit
// names both, and once removed they can no longer sign in. Refused: a non-loopback address (exit 2), a POST without its CSRF
// token or from another origin, another Host, and a session left idle. With `serve --media`, a
// pull bundle is imported from the removable media through a streamed page showing progress in
// bytes, and the outbox written there, never over a file; a bad bundle imports nothing and the
// browser cannot name any file the media page does not list. `import --progress` prints byte
// progress lines.
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

namespace sealdrop {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerProcess;
using testing::TempDir;
using testing::TestInstance;

ProcessResult Console(std::vector<std::string> args) {
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

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
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

std::vector<std::uint8_t> Seal(const PublicKey& to, const nlohmann::json& meta) {
  MemorySink sink;
  const std::vector<PublicKey> keys = {to};
  auto w = SealedEnvelopeWriter::Begin(sink, keys, meta.dump());
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w->Finish().ok());
  return sink.bytes();
}

// An attachment: its name and bytes; an empty name for none.
using Attachment = std::pair<std::string, std::string>;
const std::string kUnknownBytes = std::string("\x01\x02unknown-bytes", 15);

// A PNG header claiming 30,000 x 30,000 pixels: refused before decoding.
std::string PngBomb() {
  std::string png("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
  for (std::uint32_t v : {30000u, 30000u}) {
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  }
  return png + std::string("\x08\x02\x00\x00\x00\x00\x00\x00\x00", 9);
}

std::vector<std::uint8_t> SealWith(const PublicKey& to, const nlohmann::json& meta, const Attachment& attachment) {
  if (attachment.first.empty()) return Seal(to, meta);
  const std::vector<PublicKey> keys = {to};
  auto sealed = SealToBytes(keys, meta.dump(), {attachment.first, "application/octet-stream"},
                            std::span(reinterpret_cast<const std::uint8_t*>(attachment.second.data()),
                                      attachment.second.size()));
  EXPECT_TRUE(sealed.ok());
  return sealed ? *sealed : std::vector<std::uint8_t>{};
}

// A report or follow-up to `to` with one attachment of `attachment_bytes` (made-up bytes).
std::vector<std::uint8_t> SealWithAttachment(const PublicKey& to, const nlohmann::json& meta,
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
std::string Dechunk(const std::string& body) {
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

std::size_t CountOf(const std::string& text, const std::string& what) {
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

  static TestInstance* instance_;
  static TempDir* dir_;
  static std::string key_, passphrase_, id_a_, id_b_, id_c_, id_f_, photo_;
};
TestInstance* ConsoleWeb::instance_ = nullptr;
TempDir* ConsoleWeb::dir_ = nullptr;
std::string ConsoleWeb::key_, ConsoleWeb::passphrase_, ConsoleWeb::id_a_, ConsoleWeb::id_b_, ConsoleWeb::id_c_,
    ConsoleWeb::id_f_, ConsoleWeb::photo_;

TEST_F(ConsoleWeb, RefusesEveryAddressButLoopbackAndUnixSockets) {
  for (const char* address : {"0.0.0.0:8080", "192.168.1.10:80", "localhost:8080", "[::]:8080",
                                    "127.0.0.2:80", "unix:relative.sock"}) {
    const ProcessResult p = Console({"serve", "--data", P("console"), "--listen", address});
    EXPECT_EQ(p.exit_code, 2) << address << ": " << p.err;
    EXPECT_NE(p.err.find("127.0.0.1:PORT or unix:/PATH"), std::string::npos) << p.err;
    EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << p.err;
  }
}

TEST_F(ConsoleWeb, AnOfficerListsFiltersSearchesTriagesRepliesAndForwards) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());

  // Signed out: every page leads to sign-in; a wrong passphrase is refused.
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");
  Reply r = web.Get("/sign-in");
  EXPECT_EQ(r.Header("content-security-policy"),
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  r = web.Post("/sign-in", {{"csrf", WebClient::Csrf(r.body)}, {"officer", "psd"},
                            {"passphrase", "not the passphrase"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("The officer name or passphrase is not right"), std::string::npos);
  // An officer who does not exist gets the same answer; the assessor's passphrase is not psd's.
  for (const auto& [name, pass] : std::vector<std::pair<std::string, std::string>>{
           {"nobody", passphrase_}, {"Ada Lovelace", passphrase_}, {"psd", kAssessorPassphrase}}) {
    r = PostSignIn(web, name, pass);
    EXPECT_EQ(r.status, 401) << name;
    EXPECT_NE(r.body.find("The officer name or passphrase is not right"), std::string::npos) << name;
  }

  // Signed in: at risk first, then the case with an unread follow-up, then the rest.
  r = web.Get("/sign-in");
  const Reply in = web.Post("/sign-in", {{"csrf", WebClient::Csrf(r.body)}, {"officer", "psd"},
                                         {"passphrase", passphrase_}});
  ASSERT_EQ(in.status, 303);
  const std::string cookie = in.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  r = web.Get("/cases");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("psd"), std::string::npos);
  EXPECT_EQ(CaseLinks(r.body), (std::vector<std::string>{id_b_, id_c_, id_a_}));
  EXPECT_NE(r.body.find("He controls his partner"), std::string::npos);  // the sealed summary, opened
  const std::string csrf = WebClient::Csrf(r.body);

  // Filters, as GET parameters.
  EXPECT_EQ(CaseLinks(web.Get("/cases?category=corruption").body), (std::vector<std::string>{id_c_, id_a_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?at_risk=1").body), (std::vector<std::string>{id_b_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?unread=1").body), (std::vector<std::string>{id_c_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?from=" + testing::DayFromToday(-10)).body),
            (std::vector<std::string>{id_b_, id_c_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?to=" + testing::DayFromToday(-10)).body), (std::vector<std::string>{id_a_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?force=MET&status=new").body), (std::vector<std::string>{id_b_, id_c_, id_a_}));
  EXPECT_TRUE(CaseLinks(web.Get("/cases?force=WMI").body).empty());

  // Search (a POST: the words never reach a URL) over the opened text, follow-ups included.
  r = web.Post("/search", {{"csrf", csrf}, {"q", "HARROW"}, {"back", "category=corruption"}});
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/cases?category=corruption&search=on");
  EXPECT_EQ(r.Header("location").find("arrow"), std::string::npos);
  r = web.Get(r.Header("location"));
  EXPECT_EQ(CaseLinks(r.body), (std::vector<std::string>{id_c_}));
  EXPECT_NE(r.body.find("harrow"), std::string::npos);
  EXPECT_EQ(CaseLinks(web.Get("/cases?search=on&category=domestic").body), std::vector<std::string>{});

  // The case: report and follow-up in order; opening it reads the follow-up.
  r = web.Get("/cases/" + id_c_);
  ASSERT_EQ(r.status, 200);
  const auto report_at = r.body.find("Takes cash from a nightclub owner.");
  const auto followup_at = r.body.find("The owner is called Harrow.");
  ASSERT_NE(report_at, std::string::npos);
  ASSERT_NE(followup_at, std::string::npos);
  EXPECT_LT(report_at, followup_at);
  EXPECT_NE(r.body.find("New follow-up"), std::string::npos);
  EXPECT_EQ(r.body.find("There is a problem"), std::string::npos);  // no empty error box
  EXPECT_TRUE(CaseLinks(web.Get("/cases?unread=1").body).empty());

  // Triage and reply, by POST with the session's CSRF token.
  const std::string note = "Refer to the anti-corruption unit.";
  r = web.Post("/cases/" + id_c_ + "/triage", {{"csrf", csrf}, {"outcome", "investigate"}, {"note", note}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Post("/cases/" + id_c_ + "/triage", {{"csrf", csrf}, {"outcome", "arrest-them"}, {"note", "x"}});
  EXPECT_EQ(r.status, 400);
  const std::string reply = "Thank you. Can you tell us which nightclub?";
  r = web.Post("/cases/" + id_c_ + "/reply", {{"csrf", csrf}, {"text", reply}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Post("/cases/" + id_c_ + "/reply", {{"csrf", csrf}, {"text", "  \n "}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The reply is empty"), std::string::npos);
  // The search index, built before the triage and the reply, is rebuilt because they were
  // added (ConsoleStore::SearchableVersion): the note and the reply are searchable now.
  for (const std::string word : {"anti-corruption unit", "which nightclub"}) {
    r = web.Post("/search", {{"csrf", csrf}, {"q", word}, {"back", ""}});
    ASSERT_EQ(r.status, 303);
    EXPECT_EQ(CaseLinks(web.Get(r.Header("location")).body), (std::vector<std::string>{id_c_})) << word;
  }
  r = web.Get("/cases/" + id_c_ + "?done=replied");
  EXPECT_NE(r.body.find("Triage: investigate"), std::string::npos);
  EXPECT_NE(r.body.find("by psd"), std::string::npos);
  EXPECT_NE(r.body.find(reply), std::string::npos);

  // Forward: case A re-sealed to WMI; then only WMI may reply to it.
  r = web.Get("/cases/" + id_a_);
  EXPECT_NE(r.body.find("<option value=\"WMI\">"), std::string::npos);
  EXPECT_EQ(r.body.find("<option value=\"MET\">"), std::string::npos);  // not to itself
  r = web.Post("/cases/" + id_a_ + "/forward", {{"csrf", csrf}, {"to", "WMI"}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Post("/cases/" + id_a_ + "/forward", {{"csrf", csrf}, {"to", "WMI"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("was already forwarded to WMI"), std::string::npos);
  r = web.Post("/cases/" + id_a_ + "/reply", {{"csrf", csrf}, {"text", "Hello"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("only WMI can reply"), std::string::npos);
  EXPECT_NE(web.Get("/cases/" + id_a_).body.find("Forwarded to WMI"), std::string::npos);
  EXPECT_EQ(CaseLinks(web.Get("/cases?status=forwarded").body), (std::vector<std::string>{id_a_}));

  // Statistics: counts and charts with their numbers as text.
  r = web.Get("/stats");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("3 report(s), 1 follow-up(s), 1 with someone at risk"), std::string::npos);
  EXPECT_NE(r.body.find("<svg"), std::string::npos);
  EXPECT_NE(r.body.find("<td>corruption</td><td class=\"n\">2</td>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<td>investigate</td><td class=\"n\">1</td>"), std::string::npos);
  // Time to triage: the one triaged report was triaged on its import day.
  EXPECT_NE(r.body.find("<td>same day</td><td class=\"n\">1</td>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<td>not yet triaged</td><td class=\"n\">2</td>"), std::string::npos);
  EXPECT_NE(r.body.find("waited 0 day(s) or less"), std::string::npos);

  // Refused: no CSRF token, another origin, another Host; nothing changes.
  const long long triages = Count("SELECT COUNT(*) FROM triage");
  EXPECT_EQ(web.Post("/cases/" + id_a_ + "/triage", {{"outcome", "record"}, {"note", "no token"}}).status, 403);
  EXPECT_EQ(web.Post("/cases/" + id_a_ + "/triage", {{"csrf", std::string(64, '0')}, {"outcome", "record"}, {"note", "bad"}}).status, 403);
  EXPECT_EQ(web.Post("/cases/" + id_a_ + "/triage", {{"csrf", csrf}, {"outcome", "record"}, {"note", "x"}},
                     "http://evil.example").status, 403);
  EXPECT_EQ(web.Get("/cases", "evil.example:80").status, 400);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage"), triages);

  // Signed out: the cookie no longer opens anything.
  const auto session_cookie = web.cookies()["sdc_session"];
  EXPECT_EQ(web.Post("/sign-out", {{"csrf", csrf}}).status, 303);
  web.cookies()["sdc_session"] = session_cookie;
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");

  // The CLI sees what the web did; the outbox carries the reply; the audit names the officer.
  ProcessResult p = Console(AsPsd({"show", "--data", P("console"), id_c_}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("investigate (psd): " + note), std::string::npos) << p.out;
  EXPECT_NE(p.out.find(reply), std::string::npos) << p.out;
  p = Console(AsPsd({"outbox", "--data", P("console"), "--out", P("outbox.bundle")}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("2 item(s)"), std::string::npos) << p.out;  // the reply and the forward
  p = Console(AsPsd({"audit", "verify", "--data", P("console")}));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT action) FROM audit WHERE actor = 'psd' AND action IN "
                  "('sign-in', 'show', 'triage', 'reply', 'forward', 'sign-out')"), 6);

  // Nothing the officer typed, searched for or read is on the console's disk in clear.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(P("console"))) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = testing::ReadFileOrDie(entry.path().string());
    for (const std::string& secret : {note, reply, std::string("Harrow"), std::string("HARROW"),
                                      std::string("harrow"), std::string("nightclub")}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in " << entry.path();
    }
  }

  // Nothing the officer typed or read reached the console's output.
  const int status = server.Stop(SIGTERM);
  EXPECT_EQ(status, 0);
  const std::string err = server.Stderr();
  for (const std::string& secret : {note, reply, passphrase_, std::string("Harrow"), std::string("nightclub")}) {
    EXPECT_EQ(err.find(secret), std::string::npos) << secret;
  }
}

// What exiftool (an independent reader) finds in `bytes`: "Group:Tag=value" lines.
std::string ExifTool(const TempDir& dir, const std::string& bytes) {
  testing::WriteFileOrDie(dir / "check.jpg", bytes);
  const ProcessResult r = RunProcess({"/usr/bin/exiftool", "-a", "-G1", "-s", "-q", dir / "check.jpg"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// The /downloads/TOKEN link of a safe-copy page.
std::string DownloadLink(const std::string& html) {
  const std::string marker = "href=\"/downloads/";
  const auto at = html.find(marker);
  return at == std::string::npos ? "" : html.substr(at + 6, 11 + 64);
}

TEST_F(ConsoleWeb, ASafeCopyOfAPhotoIsMadeAndSavedWithoutItsMetadata) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());
  ASSERT_EQ(SignIn(web, "psd").status, 200);
  const TempDir work;
  // The crafted photo really carries the reporter's name and position.
  const std::string seen = ExifTool(work, photo_);
  EXPECT_NE(seen.find("GPSLatitude"), std::string::npos) << seen;
  EXPECT_NE(seen.find(testing::kCraftedSecretName), std::string::npos) << seen;

  // The case page offers a safe copy of each attachment, numbered per item as `show` numbers
  // them: the follow-up's photo is attachment 1 of the follow-up.
  Reply r = web.Get("/cases/" + id_c_);
  ASSERT_EQ(r.status, 200);
  const std::string action = "action=\"/cases/" + id_f_ + "/attachments/1/safe-copy\"";
  EXPECT_NE(r.body.find(action), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Make a safe copy"), std::string::npos);
  const std::string csrf = WebClient::Csrf(r.body);
  const std::string show = Console(AsPsd({"show", "--data", P("console"), id_c_})).out;
  EXPECT_NE(show.find("  [1] photo.jpg"), std::string::npos) << show;

  r = web.Post("/cases/" + id_f_ + "/attachments/1/safe-copy", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("re-encoded as JPEG"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Removed from the copy"), std::string::npos);
  EXPECT_NE(r.body.find("EXIF"), std::string::npos);
  EXPECT_NE(r.body.find("export-attachment"), std::string::npos);  // the original: CLI only
  EXPECT_NE(r.body.find("--officer psd " + id_f_.substr(0, 8) + " 1 --out FILE --original"), std::string::npos)
      << r.body;
  const std::string link = DownloadLink(r.body);
  ASSERT_EQ(link.size(), 11u + 64u) << r.body;

  r = web.Get(link);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "image/jpeg");
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"case-" + id_f_.substr(0, 8) + "-attachment-1.jpg\"");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_NE(r.Header("content-security-policy").find("default-src 'none'"), std::string::npos);
  ASSERT_GT(r.body.size(), 100u);
  EXPECT_EQ(r.body.substr(0, 2), "\xFF\xD8");
  for (const std::string& gone : {std::string(testing::kCraftedSecretName), std::string(testing::kCraftedSecretPlace),
                                 std::string("Exif")}) {
    EXPECT_EQ(r.body.find(gone), std::string::npos) << gone;
  }
  const std::string left = ExifTool(work, r.body);
  for (const char* tag : {"GPS", "Artist", "Comment", "Alice"}) EXPECT_EQ(left.find(tag), std::string::npos) << left;
  EXPECT_EQ(web.Get(link).status, 200);  // kept until the next copy, sign-out or the lock
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'export' AND item = '" + id_f_ +
                  "' AND detail = 'attachment 1 safe copy'"),
            1);

  // Another session cannot use this session's download.
  WebClient other(server.address());
  ASSERT_EQ(SignIn(other, "psd").status, 200);
  r = other.Get(link);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("This download has gone"), std::string::npos);

  // No such attachment, or not a number: 404 with the officer's words; without the CSRF token: 403.
  r = web.Post("/cases/" + id_f_ + "/attachments/2/safe-copy", {{"csrf", csrf}});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("Case " + id_f_.substr(0, 8) + " has no attachment 2."), std::string::npos) << r.body;
  for (const char* n : {"0", "01", "x", "-1", "99999999"}) {
    EXPECT_EQ(web.Post("/cases/" + id_f_ + "/attachments/" + n + "/safe-copy", {{"csrf", csrf}}).status, 404) << n;
  }
  EXPECT_EQ(web.Post("/cases/" + id_c_ + "/attachments/1/safe-copy", {{"csrf", csrf}}).status, 404);  // the report has none
  EXPECT_EQ(web.Post("/cases/" + std::string(32, 'f') + "/attachments/1/safe-copy", {{"csrf", csrf}}).status, 404);
  EXPECT_EQ(web.Post("/cases/" + id_f_ + "/attachments/1/safe-copy", {}).status, 403);
  EXPECT_EQ(web.Get("/cases/" + id_f_ + "/attachments/1/safe-copy").status, 405);
  // Asking for another copy drops the last one first (a session holds one copy at most), even
  // when the new one cannot be made.
  EXPECT_EQ(web.Get(link).status, 404);

  // A picture bomb: no copy, a clear message and the command line named; nothing to download.
  r = web.Post("/cases/" + id_b_ + "/attachments/1/safe-copy", {{"csrf", csrf}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("Cannot make a safe copy: the picture is 30000 x 30000 pixels"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("sealdrop-console export-attachment"), std::string::npos);
  EXPECT_EQ(DownloadLink(r.body), "");

  // A file of unknown type: exported unchanged with the WARNING, served as octet-stream.
  r = web.Post("/cases/" + id_a_ + "/attachments/1/safe-copy", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("WARNING:"), std::string::npos);
  EXPECT_NE(r.body.find("exported unchanged"), std::string::npos);
  const std::string unknown_link = DownloadLink(r.body);
  r = web.Get(unknown_link);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kUnknownBytes);
  EXPECT_EQ(r.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"case-" + id_a_.substr(0, 8) + "-attachment-1.xyz\"");

  // Signed out: the download is gone, also for the officer signed in again.
  EXPECT_EQ(web.Post("/sign-out", {{"csrf", csrf}}).status, 303);
  EXPECT_EQ(web.Get(unknown_link).Header("location"), "/sign-in");
  ASSERT_EQ(SignIn(web, "psd").status, 200);
  EXPECT_EQ(web.Get(unknown_link).status, 404);

  EXPECT_EQ(server.Stop(SIGTERM), 0);
  const std::string err = server.Stderr();
  EXPECT_EQ(err.find(testing::kCraftedSecretName), std::string::npos);
  EXPECT_EQ(err.find(id_f_.substr(0, 8)), std::string::npos);
}

// How many times `needle` occurs in `hay`.
std::size_t Occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// 250 reports on a console of their own: the list and the search results come 100 to a page,
// in the list's order, with every filter kept in the page links.
TEST_F(ConsoleWeb, TheCaseListAndSearchResultsComeAHundredToAPage) {
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const std::string today = testing::DayFromToday(0);
  auto w = bundle::BundleWriter::Create(P("many.bundle"), "pull", "MET", today);
  ASSERT_TRUE(w.ok());
  std::set<std::string> at_risk;
  for (int i = 0; i < 250; ++i) {
    // Odd reports are "domestic" and mention a lantern; every fiftieth is at risk.
    const std::string id = bundle::NewItemId();
    if (i % 50 == 0) at_risk.insert(id);
    char ref[65];
    std::snprintf(ref, sizeof ref, "%064d", i);
    const auto bytes = Seal(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"},
                                  {"day", testing::DayFromToday(-(i % 40))},
                                  {"source", {{"ref", std::string(ref)}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                  {"category", i % 2 ? "domestic" : "corruption"}, {"at_risk", i % 50 == 0 ? "yes" : "no"},
                                  {"what", "Report " + std::to_string(i) + (i % 2 ? " about a lantern." : " about money.")}});
    MemorySource src(bytes);
    ASSERT_TRUE(w->AddItem({id, "report", today, 0, 0, "", "", ""}, src).ok());
  }
  ASSERT_TRUE(w->Commit().ok());
  ProcessResult p = Console(testing::ConsoleInit(P("many"), key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console(AsPsd({"import", "--data", P("many"), P("many.bundle")}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ServerProcess server({SEALDROP_CONSOLE_BIN, "serve", "--data", P("many"), "--listen", "127.0.0.1:0"});
  WebClient web(server.address());
  Reply r = SignIn(web, "psd");
  ASSERT_EQ(r.status, 200);
  const std::string csrf = WebClient::Csrf(r.body);

  // Page 1: someone at risk first; a next link only.
  std::vector<std::string> ids = CaseLinks(r.body);
  ASSERT_EQ(ids.size(), 100u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.begin() + 5), at_risk);
  EXPECT_NE(r.body.find("Showing 1–100 of 250 reports."), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<nav class=\"pagination\" aria-label=\"Pagination\">"), std::string::npos);
  EXPECT_NE(r.body.find("Page 1 of 3"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases?page=2\" rel=\"next\""), std::string::npos);
  EXPECT_EQ(r.body.find("rel=\"prev\""), std::string::npos);
  // Every case once, over the three pages, in the order of one list.
  std::set<std::string> seen(ids.begin(), ids.end());
  r = web.Get("/cases?page=2");
  EXPECT_NE(r.body.find("Showing 101–200 of 250 reports."), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases\" rel=\"prev\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases?page=3\" rel=\"next\""), std::string::npos);
  for (const auto& id : CaseLinks(r.body)) seen.insert(id);
  r = web.Get("/cases?page=3");
  const std::vector<std::string> last = CaseLinks(r.body);
  EXPECT_EQ(last.size(), 50u);
  EXPECT_NE(r.body.find("Showing 201–250 of 250 reports."), std::string::npos);
  EXPECT_EQ(r.body.find("rel=\"next\""), std::string::npos);
  seen.insert(last.begin(), last.end());
  EXPECT_EQ(seen.size(), 250u);

  // Filters stay in the page links.
  r = web.Get("/cases?category=corruption&from=" + testing::DayFromToday(-100));
  EXPECT_EQ(CaseLinks(r.body).size(), 100u);
  EXPECT_NE(r.body.find("Showing 1–100 of 125 matching reports (250 in all)."), std::string::npos) << r.body;
  const std::string next = "/cases?category=corruption&from=" + testing::DayFromToday(-100) + "&page=2";
  EXPECT_NE(r.body.find("href=\"/cases?category=corruption&amp;from=" + testing::DayFromToday(-100) +
                        "&amp;page=2\" rel=\"next\""),
            std::string::npos);
  r = web.Get(next);
  EXPECT_EQ(CaseLinks(r.body).size(), 25u);
  EXPECT_EQ(Occurrences(r.body, "<td>corruption</td>"), 25u);
  EXPECT_NE(r.body.find("href=\"/cases?category=corruption&amp;from=" + testing::DayFromToday(-100) +
                        "\" rel=\"prev\""),
            std::string::npos);

  // Search results too, the search switch kept.
  r = web.Post("/search", {{"csrf", csrf}, {"q", "lantern"}, {"back", ""}});
  ASSERT_EQ(r.status, 303);
  r = web.Get(r.Header("location"));
  EXPECT_EQ(CaseLinks(r.body).size(), 100u);
  EXPECT_NE(r.body.find("Showing 1–100 of 125 matching reports (250 in all)."), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases?search=on&amp;page=2\" rel=\"next\""), std::string::npos);
  r = web.Get("/cases?search=on&page=2");
  EXPECT_EQ(CaseLinks(r.body).size(), 25u);
  EXPECT_EQ(Occurrences(r.body, "<td>domestic</td>"), 25u);

  // Past the last page, or not a page: 404, saying how many there are, linking the last.
  r = web.Get("/cases?page=4");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("This list has 3 pages: there is no page 4."), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("href=\"/cases?page=3\""), std::string::npos);
  for (const char* bad : {"0", "-1", "x", "02", "99999999"}) {
    EXPECT_EQ(web.Get(std::string("/cases?page=") + bad).status, 404) << bad;
  }
  r = web.Get("/cases?category=corruption&page=3");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("href=\"/cases?category=corruption&amp;page=2\""), std::string::npos);
}

TEST_F(ConsoleWeb, AnIdleSessionIsSignedOutAndItsFormsRefused) {
  ServerProcess server = Serve("127.0.0.1:0", {"--idle-seconds", "1"});
  WebClient web(server.address());
  const Reply list = SignIn(web, "psd");
  ASSERT_EQ(list.status, 200);
  const std::string csrf = WebClient::Csrf(list.body);
  const long long triages = Count("SELECT COUNT(*) FROM triage");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the idle period
  Reply r = web.Post("/cases/" + id_a_ + "/triage", {{"csrf", csrf}, {"outcome", "record"}, {"note", "late"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/sign-in?locked=1");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage"), triages);
  r = web.Get("/sign-in?locked=1");
  EXPECT_NE(r.body.find("You were signed out because the console was not used"), std::string::npos);
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");
}

// A sealed item damaged on the console's disk: no copy, no download, a clear 500, no audit entry.
TEST_F(ConsoleWeb, ADamagedItemGivesNoSafeCopy) {
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const std::string today = testing::DayFromToday(0);
  auto w = bundle::BundleWriter::Create(P("damaged.bundle"), "pull", "MET", today);
  ASSERT_TRUE(w.ok());
  const std::string id = bundle::NewItemId();
  const auto bytes = SealWith(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", today},
                                    {"source", {{"ref", std::string(64, 'd')}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                    {"category", "corruption"}, {"at_risk", "no"}, {"what", "A report with a photo."}},
                              {"photo.jpg", photo_});
  MemorySource src(bytes);
  ASSERT_TRUE(w->AddItem({id, "report", today, 0, 0, "", "", ""}, src).ok());
  ASSERT_TRUE(w->Commit().ok());
  ProcessResult p = Console(testing::ConsoleInit(P("damaged"), key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console(AsPsd({"import", "--data", P("damaged"), P("damaged.bundle")}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  // One byte of the photo's sealed chunk flipped (the file ends with the last chunk's tag).
  const std::string sealed = P("damaged") + "/sealed/" + id;
  std::string file = testing::ReadFileOrDie(sealed);
  file[file.size() - 40] = static_cast<char>(file[file.size() - 40] ^ 0x01);
  ASSERT_EQ(::chmod(sealed.c_str(), 0600), 0);
  testing::WriteFileOrDie(sealed, file);

  ServerProcess server({SEALDROP_CONSOLE_BIN, "serve", "--data", P("damaged"), "--listen", "127.0.0.1:0"});
  WebClient web(server.address());
  const Reply list = SignIn(web, "psd");
  ASSERT_EQ(list.status, 200);
  const Reply r = web.Post("/cases/" + id + "/attachments/1/safe-copy", {{"csrf", WebClient::Csrf(list.body)}});
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("Case item " + id.substr(0, 8) + " is damaged"), std::string::npos) << r.body;
  EXPECT_EQ(DownloadLink(r.body), "");
  EXPECT_EQ(testing::QueryCount(P("damaged") + "/console.sqlite", "SELECT COUNT(*) FROM audit WHERE action = 'export'"), 0);
}

TEST_F(ConsoleWeb, ASafeCopyIsGoneOnceTheSessionLocks) {
  ServerProcess server = Serve("127.0.0.1:0", {"--idle-seconds", "1"});
  WebClient web(server.address());
  const Reply list = SignIn(web, "psd");
  ASSERT_EQ(list.status, 200);
  const Reply made = web.Post("/cases/" + id_a_ + "/attachments/1/safe-copy", {{"csrf", WebClient::Csrf(list.body)}});
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string link = DownloadLink(made.body);
  ASSERT_FALSE(link.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the idle period
  EXPECT_EQ(web.Get(link).Header("location"), "/sign-in?locked=1");
  ASSERT_EQ(SignIn(web, "psd").status, 200);
  EXPECT_EQ(web.Get(link).status, 404);
}

TEST_F(ConsoleWeb, ServesOnAUnixSocket) {
  const std::string socket = P("console.sock");
  ServerProcess server = Serve("unix:" + socket);
  EXPECT_EQ(server.address(), "unix:" + socket);
  WebClient web(server.address());
  EXPECT_EQ(SignIn(web, "psd").status, 200);
  EXPECT_EQ(web.Get("/stats").status, 200);
}

// Removable media (serve --media): a console of its own, so the suite's cases stay as they are.
TEST_F(ConsoleWeb, ImportsFromAndWritesTheOutboxToRemovableMediaShowingProgressInBytes) {
  const std::string data = P("media-console"), media = P("media");
  ASSERT_TRUE(std::filesystem::create_directory(media));
  ProcessResult p = Console(testing::ConsoleInit(data, key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto count = [&](const std::string& sql) { return testing::QueryCount(data + "/console.sqlite", sql); };

  // A pull bundle of about 6 MiB (two reports with 3 MiB photos, and a follow-up saying someone
  // is at risk now), and one whose second item is sealed to another force's key: it verifies as
  // a bundle but cannot be opened here, after the first item was.
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const PublicKey& wmi = instance_->DecryptionKey("WMI").public_key;
  const std::string today = testing::DayFromToday(0);
  const std::string ref_d(64, 'd'), ref_e(64, 'e');
  auto report = [&](const PublicKey& to, const std::string& ref, const std::string& what) {
    return SealWithAttachment(to, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", today},
                                   {"source", {{"ref", ref}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                   {"category", "corruption"}, {"at_risk", "no"}, {"what", what}},
                              3 << 20);
  };
  auto write_bundle = [&](const std::string& path, const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& items) {
    auto w = bundle::BundleWriter::Create(path, "pull", "MET", today);
    ASSERT_TRUE(w.ok());
    for (const auto& [kind, bytes] : items) {
      MemorySource src(bytes);
      ASSERT_TRUE(w->AddItem({bundle::NewItemId(), kind, today, 0, 0, "", "", ""}, src).ok());
    }
    ASSERT_TRUE(w->Commit().ok());
  };
  const auto followup = Seal(met, {{"version", 1}, {"kind", "followup"}, {"force", "MET"}, {"day", today},
                                   {"source", {{"ref", ref_d}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                   {"message", "He found out I reported him."}, {"at_risk", "yes"}, {"risk_details", "threats"}});
  write_bundle(media + "/pull-" + today + ".bundle",
               {{"report", report(met, ref_d, "Deletes custody footage for cash.")},
                {"report", report(met, ref_e, "Leaks addresses to a gang.")},
                {"followup", followup}});
  write_bundle(media + "/wrong-key.bundle",
               {{"report", report(met, ref_e, "First item, fine.")}, {"report", report(wmi, ref_e, "Not ours.")}});
  // Path tricks: a link on the media to a bundle outside it, and files the console must not list.
  std::filesystem::create_symlink(P("pull.bundle"), media + "/link.bundle");
  testing::WriteFileOrDie(media + "/.hidden.bundle", "x");

  // Without --media the page says how to start the console with it.
  {
    ServerProcess plain = Serve("127.0.0.1:0");
    WebClient web(plain.address());
    SignIn(web, "psd");
    const Reply r = web.Get("/media");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("--media"), std::string::npos);
  }

  std::vector<std::string> argv = {SEALDROP_CONSOLE_BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--media", media};
  ServerProcess server(argv);
  WebClient web(server.address());
  const std::string csrf = WebClient::Csrf(SignIn(web, "psd").body);
  Reply r = web.Get("/media");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("pull-" + today + ".bundle</td><td>6 MiB</td><td>3</td>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("not imported yet"), std::string::npos);
  EXPECT_NE(r.body.find("wrong-key.bundle"), std::string::npos);
  EXPECT_EQ(r.body.find("link.bundle"), std::string::npos);
  EXPECT_EQ(r.body.find(".hidden.bundle"), std::string::npos);
  EXPECT_NE(r.body.find("outbox-" + today + ".bundle"), std::string::npos);  // the name it will write

  // Refused before anything is read: a name the listing does not show, a path, the link.
  for (const std::string& name : std::vector<std::string>{"elsewhere.bundle", "../pull.bundle", "link.bundle", ".hidden.bundle",
                                 media + "/pull-" + today + ".bundle", ""}) {
    r = web.Post("/media/import", {{"csrf", csrf}, {"name", name}});
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_NE(r.body.find("nothing was imported"), std::string::npos) << name;
  }
  EXPECT_EQ(web.Post("/media/import", {{"name", "pull-" + today + ".bundle"}}).status, 403);  // no CSRF token
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);

  // A bundle that fails half-way: the page streams, ends with a clear error, nothing is imported.
  r = web.Post("/media/import", {{"csrf", csrf}, {"name", "wrong-key.bundle"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  std::string page = Dechunk(r.body);
  ASSERT_FALSE(page.empty()) << r.body.substr(0, 200);
  EXPECT_NE(page.find("<li>Checked "), std::string::npos);
  EXPECT_NE(page.find("Nothing was imported"), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_TRUE(std::filesystem::is_empty(data + "/sealed"));

  // The good bundle: progress lines in bytes as it goes, then the result with the raised case.
  r = web.Post("/media/import", {{"csrf", csrf}, {"name", "pull-" + today + ".bundle"}});
  ASSERT_EQ(r.status, 200);
  page = Dechunk(r.body);
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(r.Header("content-security-policy").find("default-src 'none'"), 0u);
  EXPECT_NE(page.find("role=\"log\""), std::string::npos);
  EXPECT_GE(CountOf(page, "<li>Checked "), 4u) << page;
  EXPECT_GE(CountOf(page, "<li>Imported "), 4u) << page;
  EXPECT_NE(page.find(" MiB of 6 MiB (100%)</li>"), std::string::npos) << page;
  const auto log_end = page.find("</ol>");
  const auto result_at = page.find("3 new item(s) imported");
  ASSERT_NE(result_at, std::string::npos) << page;
  EXPECT_LT(page.rfind("<li>Imported "), log_end);
  EXPECT_LT(log_end, result_at);
  EXPECT_NE(page.find("class=\"risk-banner\""), std::string::npos);
  EXPECT_NE(page.find("Someone may be at risk of harm now in 1 case(s)"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'import'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'at-risk'"), 1);
  r = web.Get("/cases");
  EXPECT_NE(r.body.find("Deletes custody footage"), std::string::npos);
  EXPECT_NE(r.body.find("Leaks addresses"), std::string::npos);
  EXPECT_NE(r.body.find("MET PSD"), std::string::npos);  // the header learnt the console's force
  EXPECT_NE(web.Get("/media").body.find("already imported"), std::string::npos);
  // Importing it again is harmless.
  page = Dechunk(web.Post("/media/import", {{"csrf", csrf}, {"name", "pull-" + today + ".bundle"}}).body);
  EXPECT_NE(page.find("0 new item(s) imported from pull-" + today + ".bundle (3 already here)"), std::string::npos) << page;
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 3);

  // The outbox (a receipt for the three items) to the media; a second one is a new file.
  r = web.Post("/media/outbox", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200);
  page = Dechunk(r.body);
  EXPECT_NE(page.find("Outbox written"), std::string::npos) << page;
  EXPECT_NE(page.find("a receipt for 3 imported item(s) in outbox-" + today + ".bundle"), std::string::npos) << page;
  const std::string first = media + "/outbox-" + today + ".bundle";
  ASSERT_TRUE(std::filesystem::exists(first));
  const std::string first_bytes = testing::ReadFileOrDie(first);
  auto reader = bundle::BundleReader::Open(first);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->manifest().type, "outbox");
  ASSERT_TRUE(reader->manifest().receipt.has_value());
  EXPECT_EQ(reader->manifest().receipt->items.size(), 3u);
  page = Dechunk(web.Post("/media/outbox", {{"csrf", csrf}}).body);
  EXPECT_NE(page.find("outbox-" + today + "-2.bundle"), std::string::npos) << page;
  EXPECT_EQ(testing::ReadFileOrDie(first), first_bytes);
  EXPECT_TRUE(std::filesystem::exists(media + "/outbox-" + today + "-2.bundle"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'outbox'"), 2);
  r = web.Get("/media");
  EXPECT_NE(r.body.find("an outbox bundle (0 item(s), " + today + ")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("outbox-" + today + "-3.bundle"), std::string::npos);

  p = Console(AsPsd({"audit", "verify", "--data", data}));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(ConsoleWeb, CliImportAndOutboxWithProgressPrintByteProgressLines) {
  const std::string data = P("progress-console"), media = P("progress-media");
  ASSERT_TRUE(std::filesystem::create_directory(media));
  ProcessResult p = Console(testing::ConsoleInit(data, key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const std::string today = testing::DayFromToday(0);
  auto w = bundle::BundleWriter::Create(media + "/pull.bundle", "pull", "MET", today);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 2; ++i) {
    const auto bytes = SealWithAttachment(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", today},
                                              {"source", {{"ref", std::string(64, static_cast<char>('a' + i))},
                                                          {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                              {"category", "other"}, {"at_risk", "no"}, {"what", "Report."}},
                                        5 << 20);
    MemorySource src(bytes);  // it reads `bytes` in place
    ASSERT_TRUE(w->AddItem({bundle::NewItemId(), "report", today, 0, 0, "", "", ""}, src).ok());
  }
  ASSERT_TRUE(w->Commit().ok());
  // Without --progress and without a terminal: nothing on stderr, as before.
  p = Console(AsPsd({"import", "--data", data, media + "/pull.bundle"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.err, "");
  EXPECT_NE(p.out.find("imported 2 new item(s)"), std::string::npos) << p.out;
  // With --progress: plain lines, one per step, never one per 64 KiB block.
  p = Console(AsPsd({"import", "--progress", "--data", data, media + "/pull.bundle"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("imported 0 new item(s)"), std::string::npos) << p.out;
  EXPECT_EQ(p.err.find('\r'), std::string::npos);
  const std::size_t checking = CountOf(p.err, "checking: "), importing = CountOf(p.err, "importing: ");
  EXPECT_GE(checking, 5u) << p.err;
  EXPECT_LE(checking, 102u) << p.err;
  EXPECT_GE(importing, 2u) << p.err;
  EXPECT_EQ(CountOf(p.err, "\n"), checking + importing) << p.err;
  EXPECT_EQ(p.err.rfind("checking: 0 KiB of 10 MiB (0%)\n", 0), 0u) << p.err;
  EXPECT_NE(p.err.find("importing: 10 MiB of 10 MiB (100%)\n"), std::string::npos) << p.err;
  p = Console(AsPsd({"outbox", "--progress", "--data", data, "--out", media + "/outbox.bundle"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("writing: "), std::string::npos) << p.err;
}

// Runs last: it removes the assessor.
TEST_F(ConsoleWeb, ASecondOfficerSignsInWithTheirOwnPassphraseUntilTheSupervisorRemovesThem) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());
  // psd's passphrase does not open the assessor's slot.
  EXPECT_EQ(PostSignIn(web, kAssessor, passphrase_).status, 401);
  const Reply list = SignIn(web, kAssessor, kAssessorPassphrase);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(kAssessor), std::string::npos);
  const std::string csrf = WebClient::Csrf(list.body);
  Reply r = web.Post("/cases/" + id_b_ + "/triage", {{"csrf", csrf}, {"outcome", "safeguard"}, {"note", "Call the DA team."}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Get("/cases/" + id_b_);
  EXPECT_NE(r.body.find("by assessor"), std::string::npos);
  EXPECT_EQ(web.Post("/sign-out", {{"csrf", csrf}}).status, 303);
  // Signed in again, in a second browser, before the supervisor removes them (below).
  WebClient open_session(server.address());
  const Reply open_list = SignIn(open_session, kAssessor, kAssessorPassphrase);
  ASSERT_EQ(open_list.status, 200);
  const std::string open_csrf = WebClient::Csrf(open_list.body);

  // The audit verifies and names both officers, each for what they did.
  ProcessResult p = Console(AsPsd({"audit", "verify", "--data", P("console")}));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE actor = 'assessor' AND action = 'triage'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE actor = 'assessor' AND action = 'sign-in'"), 2);
  EXPECT_GE(Count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'triage'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage WHERE officer = 'assessor'"), 1);

  // Removed by the supervisor: their passphrase no longer unlocks anything, with the same answer
  // as for a wrong passphrase.
  p = Console(AsPsd({"officer", "remove", "--data", P("console"), kAssessor}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  r = PostSignIn(web, kAssessor, kAssessorPassphrase);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("The officer name or passphrase is not right"), std::string::npos);
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");
  // The session they held is ended at its next request, and changes nothing.
  const long long triages = Count("SELECT COUNT(*) FROM triage");
  r = open_session.Post("/cases/" + id_a_ + "/triage",
                        {{"csrf", open_csrf}, {"outcome", "record"}, {"note", "after removal"}});
  EXPECT_EQ(r.Header("location"), "/sign-in");
  EXPECT_EQ(open_session.Get("/cases").Header("location"), "/sign-in");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage"), triages);
  EXPECT_EQ(SignIn(web, "psd").status, 200);  // the supervisor still can
}

// The case page's "Export the case" form (docs/console.md §7): a ZIP download, or a sealed one
// that Debian's age opens with the passphrase; mismatched or short passphrases are refused on
// the case page and never sent back.
TEST_F(ConsoleWeb, AnOfficerDownloadsTheCaseArchivePlainOrSealed) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());
  SignIn(web, "psd");
  Reply page = web.Get("/cases/" + id_c_);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("action=\"/cases/" + id_c_ + "/archive\""), std::string::npos);
  EXPECT_NE(page.body.find("type=\"password\" autocomplete=\"new-password\""), std::string::npos);
  const std::string csrf = WebClient::Csrf(page.body);
  const std::string target = "/cases/" + id_c_ + "/archive";

  Reply r = web.Post(target, {{"csrf", csrf}, {"passphrase", ""}, {"confirm", ""}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 2000);
  EXPECT_EQ(r.Header("content-type"), "application/zip");
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"case-" + id_c_.substr(0, 8) + ".zip\"");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.body.rfind("PK\x03\x04", 0), 0u);
  TempDir work;
  testing::WriteFileOrDie(work / "case.zip", r.body);
  const auto py = testing::RunProcess(
      {"/usr/bin/python3", "-c",
       "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n"
       "print(sorted(z.namelist()))\nprint(json.loads(z.read('case.json'))['conversation'][1]['fields'][0]['value'])",
       work / "case.zip"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  // The case's photo is in it as its safe copy only.
  EXPECT_EQ(py.out,
            "['MANIFEST.sha256', 'attachments/01-photo.jpg', 'case.json', 'summary.html']\nThe owner is called Harrow.\n");
  EXPECT_EQ(r.body.find(testing::kCraftedSecretName), std::string::npos);

  const std::string secret = "a sealing passphrase";
  r = web.Post(target, {{"csrf", csrf}, {"passphrase", secret}, {"confirm", secret + "!"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The two passphrases are different"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"#archive-passphrase\""), std::string::npos);
  EXPECT_EQ(r.body.find(secret), std::string::npos);
  r = web.Post(target, {{"csrf", csrf}, {"passphrase", "short"}, {"confirm", "short"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("at least 10 characters"), std::string::npos);
  r = web.Post(target, {{"csrf", "not-the-token"}, {"passphrase", ""}, {"confirm", ""}});
  EXPECT_EQ(r.status, 403);

  r = web.Post(target, {{"csrf", csrf}, {"passphrase", secret}, {"confirm", secret}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 2000);
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"case-" + id_c_.substr(0, 8) + ".zip.age\"");
  EXPECT_EQ(r.body.rfind("age-encryption.org/v1\n-> scrypt ", 0), 0u);
  testing::WriteFileOrDie(work / "case.zip.age", r.body);
  testing::WriteFileOrDie(work / "pass", secret + "\n");
  const auto age = testing::RunProcess({"/usr/bin/python3", SEALDROP_AGE_TTY, work / "pass", "--", "/usr/bin/age", "-d",
                                        "-o", work / "opened.zip", work / "case.zip.age"});
  ASSERT_EQ(age.exit_code, 0) << age.err;
  const auto unzip = testing::RunProcess({"/usr/bin/unzip", "-t", work / "opened.zip"});
  EXPECT_EQ(unzip.exit_code, 0) << unzip.out;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE action = 'export-case' AND item = '" + id_c_ + "'"), 2);
}

}  // namespace
}  // namespace sealdrop
