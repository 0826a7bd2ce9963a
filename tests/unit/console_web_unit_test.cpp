// The web face's small parts, without a socket: form decoding, the listen-address rule, the
// session table's idle lock with an injected clock, the names downloads are saved under, and the
// progress steps the streamed pages (and the command line's --progress) show.
#include <gtest/gtest.h>

#include "common/progress.h"
#include "crypto/keys.h"
#include "journalist_console/core/attachment_export.h"
#include "journalist_console/web/form.h"
#include "journalist_console/web/http_listener.h"
#include "journalist_console/web/sessions.h"

namespace sealdrop::console::web {
namespace {

TEST(ConsoleWebForm, DecodesPercentAndPlusAndRefusesMalformedOrRepeatedFields) {
  auto f = Form::Parse("note=Line+one%0ASay+%22hi%22+%26+go&outcome=record&empty=&flag");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Get("note"), "Line one\nSay \"hi\" & go");
  EXPECT_EQ(f->Get("outcome"), "record");
  EXPECT_TRUE(f->Has("empty"));
  EXPECT_TRUE(f->Has("flag"));
  EXPECT_EQ(f->Get("absent"), "");
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=1&a=2"}) {
    EXPECT_FALSE(Form::Parse(bad).ok()) << bad;
  }
  EXPECT_EQ(UrlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

AttachmentExport Exported(ExportMode mode, SafeCopyKind kind, const std::string& output_type, const std::string& name) {
  AttachmentExport e;
  e.mode = mode;
  e.name = name;
  e.report.kind = kind;
  e.report.output_type = output_type;
  return e;
}

TEST(AttachmentExportName, IsTheCaseAndNumberWithTheCopysOwnExtension) {
  const std::string id = "1a2b3c4d5e6f708192a3b4c5d6e7f801";
  using M = ExportMode;
  using K = SafeCopyKind;
  EXPECT_EQ(ExportFileName(id, 2, Exported(M::kSafeCopy, K::kPdf, "PDF", "statement.docx")),
            "case-1a2b3c4d-attachment-2.pdf");
  EXPECT_EQ(ExportFileName(id, 1, Exported(M::kSafeCopy, K::kPicture, "JPEG", "x.png")), "case-1a2b3c4d-attachment-1.jpg");
  EXPECT_EQ(ExportFileName(id, 1, Exported(M::kSafeCopy, K::kPicture, "PNG", "x.gif")), "case-1a2b3c4d-attachment-1.png");
  EXPECT_EQ(ExportContentType(Exported(M::kSafeCopy, K::kPicture, "PNG", "x.gif")), "image/png");
  EXPECT_EQ(ExportContentType(Exported(M::kSafeCopy, K::kPicture, "JPEG", "x")), "image/jpeg");
  EXPECT_EQ(ExportContentType(Exported(M::kSafeCopy, K::kPdf, "PDF", "x")), "application/pdf");
  // Kept in the sent format (or the original): the sender's extension when it is plain ASCII.
  const std::vector<std::pair<std::string, std::string>> sent = {
      {"Report.DOCX", "docx"}, {"a.tar.gz", "gz"}, {"../../etc/passwd", "bin"}, {"..\\x\\evil.EXE", "exe"},
      {".bashrc", "bin"}, {"noext", "bin"}, {"photo.jpég", "bin"}, {"x.html\"onload=\"", "bin"},
      {"x.abcdefghi", "bin"}, {"x.", "bin"}, {"x/.y", "bin"}, {"", "bin"}};
  for (const auto& [name, ext] : sent) {
    for (const auto& e : {Exported(M::kSafeCopy, K::kCleaned, "ODF", name), Exported(M::kSafeCopy, K::kUnchanged, "?", name),
                          Exported(M::kOriginal, K::kEmpty, "", name)}) {
      const std::string file = ExportFileName(id, 12, e);
      EXPECT_EQ(file, "case-1a2b3c4d-attachment-12." + ext) << name;
      EXPECT_EQ(ExportContentType(e), "application/octet-stream") << name;
    }
  }
  // Whatever the id, the name stays short, ASCII and without a path.
  const std::string file = ExportFileName("../../../x", 999999, Exported(M::kOriginal, K::kEmpty, "", "a.b"));
  EXPECT_EQ(file.find('/'), std::string::npos) << file;
  EXPECT_NE(file.front(), '.');
  EXPECT_LE(file.size(), 64u);
}

TEST(ConsoleWebListen, OnlyLoopbackOrAnAbsoluteUnixSocket) {
  for (const char* ok : {"127.0.0.1:0", "127.0.0.1:8080", "127.0.0.1:65535", "unix:/run/x.sock"}) {
    EXPECT_TRUE(CheckLoopbackAddress(ok).ok()) << ok;
  }
  for (const char* bad : {"", "0.0.0.0:80", "127.0.0.2:80", "localhost:80", "[::1]:80", "127.0.0.1:",
                          "127.0.0.1:65536", "127.0.0.1:80x", "unix:", "unix:x.sock", "10.0.0.1:80"}) {
    EXPECT_FALSE(CheckLoopbackAddress(bad).ok()) << bad;
  }
}

class FakeClock {
 public:
  std::chrono::steady_clock::time_point now{};
  Clock clock() {
    return [this] { return now; };
  }
};

// A signed-in assessor as console::SignIn makes one (the key is a fresh one: no slots needed here).
OfficerSession Officer(const char* name) {
  return OfficerSession({name, OfficerRole::kAssessor}, GenerateKeyPair(KeyRole::kForceDecryption));
}

TEST(ConsoleWebSessions, AnIdleSessionIsLockedOnItsNextRequestOrByTheSweep) {
  FakeClock t;
  SessionTable table(std::chrono::seconds(60), t.clock());
  const std::string a = table.Create(Officer("ada"));
  const std::string b = table.Create(Officer("grace"));
  Session* s = nullptr;
  EXPECT_EQ(table.Find(a, &s), SessionTable::Found::kActive);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->officer().name(), "ada");
  EXPECT_EQ(s->csrf.size(), 64u);

  t.now += std::chrono::seconds(50);
  EXPECT_EQ(table.Find(a, &s), SessionTable::Found::kActive);  // a request keeps it alive
  t.now += std::chrono::seconds(50);
  EXPECT_EQ(table.Find(a, &s), SessionTable::Found::kActive);
  // b saw no request for 100 s: locked on its next request, then gone.
  EXPECT_EQ(table.Find(b, &s), SessionTable::Found::kLocked);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(table.Find(b, &s), SessionTable::Found::kNone);

  // The sweep locks without a request; the next one learns why.
  t.now += std::chrono::seconds(61);
  table.Sweep();
  EXPECT_EQ(table.Find(a, &s), SessionTable::Found::kLocked);
  EXPECT_EQ(table.Find(a, &s), SessionTable::Found::kNone);
  EXPECT_EQ(table.Find("", &s), SessionTable::Found::kNone);
  EXPECT_EQ(table.Find(std::string(64, '0'), &s), SessionTable::Found::kNone);
}

TEST(ConsoleWebSessions, SignOutRemovesTheSessionAndTokensAreUnique) {
  FakeClock t;
  SessionTable table(std::chrono::seconds(60), t.clock());
  const std::string a = table.Create(Officer("ada"));
  EXPECT_NE(RandomToken(), RandomToken());
  table.Remove(a);
  Session* s = nullptr;
  EXPECT_EQ(table.Find(a, &s), SessionTable::Found::kNone);
  EXPECT_TRUE(TokensEqual(a, a));
  EXPECT_FALSE(TokensEqual(a, a.substr(1)));
  EXPECT_FALSE(TokensEqual("", ""));
}

TEST(ByteProgress, StepsEveryPercentButNotCloserThanAMebibyteFromStartToEnd) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> steps;
  auto record = [&steps](std::uint64_t done, std::uint64_t total) { steps.emplace_back(done, total); };
  const std::uint64_t gib = 1ull << 30;
  ByteProgress big(record, gib);
  big.Start();
  for (std::uint64_t done = 0; done < gib; done += 1 << 16) big.Advance(1 << 16);
  big.Finish();
  EXPECT_EQ(steps.front(), std::make_pair(std::uint64_t{0}, gib));
  EXPECT_EQ(steps.back(), std::make_pair(gib, gib));
  EXPECT_GE(steps.size(), 95u);
  EXPECT_LE(steps.size(), 102u);
  for (std::size_t i = 1; i + 1 < steps.size(); ++i) EXPECT_GE(steps[i].first - steps[i - 1].first, gib / 100);

  steps.clear();
  ByteProgress small(record, 300 << 10);  // 300 KiB: the start and the end only
  small.Start();
  for (int i = 0; i < 300; ++i) small.Advance(1 << 10);
  small.Finish();
  EXPECT_EQ(steps.size(), 2u);

  steps.clear();
  ByteProgress unknown(record, 0);  // no total: every 16 MiB
  unknown.Start();
  for (int i = 0; i < 64; ++i) unknown.Advance(1 << 20);
  unknown.Finish();
  EXPECT_EQ(steps.size(), 1u + 4u);  // the last step, at 64 MiB, is not repeated by Finish
  EXPECT_EQ(steps.back().first, 64ull << 20);
}

TEST(ByteProgress, TextsSayBytesOfTheTotal) {
  EXPECT_EQ(ProgressText(312ull << 20, 1ull << 30), "312 MiB of 1.0 GiB (30%)");
  EXPECT_EQ(ProgressText(0, 300 << 10), "0 KiB of 300 KiB (0%)");
  EXPECT_EQ(ProgressText(5ull << 20, 0), "5 MiB");
  EXPECT_EQ(ProgressPageText(312ull << 20, 1ull << 30), "312 MiB of 1,024 MiB (30%)");
  EXPECT_EQ(ProgressPageText(150 << 10, 300 << 10), "150 KiB of 300 KiB (50%)");
  EXPECT_EQ(MebibytesText(1536ull << 20), "1,536");
}

}  // namespace
}  // namespace sealdrop::console::web
