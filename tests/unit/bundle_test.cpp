// Bundles (docs/bundle.md): round trip, and every kind of damage refused before use.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/envelope_writer.h"
#include "journalist_console/bundle/bundle.h"
#include "tests/support/process.h"

namespace sealdrop::bundle {
namespace {

std::vector<std::uint8_t> Envelope(const std::string& content) {
  const std::vector<PublicKey> to = {GenerateKeyPair(KeyRole::kForceDecryption).public_key};
  auto sealed = SealToBytes(to, "{}", {"f", "text/plain"}, AsBytes(content));
  if (!sealed.ok()) std::abort();
  return *sealed;
}

std::string Write(const testing::TempDir& dir, const std::string& name, const std::string& type,
                  const std::vector<Item>& items) {
  auto w = BundleWriter::Create(dir / name, type, "MET", "2026-11-22");
  EXPECT_TRUE(w.ok());
  for (const auto& it : items) {
    const auto bytes = Envelope(it.id);
    MemorySource src(bytes);
    EXPECT_TRUE(w->AddItem(it, src).ok());
  }
  EXPECT_TRUE(w->Commit().ok());
  return dir / name;
}

Item PullItem() { return {NewItemId(), "report", "2026-11-21", 0, 0, "", "", ""}; }

TEST(Bundle, RoundTripsItemsAndTheirManifest) {
  testing::TempDir dir;
  const Item a = PullItem();
  Item b = PullItem();
  b.kind = "followup";
  const std::string path = Write(dir, "p.bundle", "pull", {a, b});
  auto r = BundleReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Manifest& m = r->manifest();
  EXPECT_EQ(m.type, "pull");
  EXPECT_EQ(m.force, "MET");
  ASSERT_EQ(m.items.size(), 2u);
  EXPECT_EQ(m.items[0].id, a.id);
  EXPECT_EQ(m.items[0].offset, 16u);
  EXPECT_EQ(m.items[1].offset, 16u + m.items[0].size);
  EXPECT_EQ(m.items[1].kind, "followup");
  MemorySink sink;
  ASSERT_TRUE(r->CopyItem(1, sink).ok());
  EXPECT_EQ(sink.bytes().size(), m.items[1].size);
  auto stream = r->ItemSource(0);
  std::vector<std::uint8_t> buf(1 << 16);
  std::uint64_t total = 0;
  for (;;) {
    auto n = stream->Read(buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_EQ(total, m.items[0].size);
}

TEST(Bundle, OutboxItemsCarryTheirDestinations) {
  testing::TempDir dir;
  const Item reply{NewItemId(), "reply", "2026-11-22", 0, 0, "", std::string(64, 'a'), ""};
  const Item fwd{NewItemId(), "forward", "2026-11-22", 0, 0, "", "WMI", std::string(64, 'b')};
  auto r = BundleReader::Open(Write(dir, "o.bundle", "outbox", {reply, fwd}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->manifest().items[0].to, std::string(64, 'a'));
  EXPECT_EQ(r->manifest().items[1].to, "WMI");
  EXPECT_EQ(r->manifest().items[1].source, std::string(64, 'b'));
}

TEST(Bundle, WriterRefusesNonEnvelopesAndRepeatedIds) {
  testing::TempDir dir;
  auto w = BundleWriter::Create(dir / "x.bundle", "pull", "MET", "2026-11-22");
  ASSERT_TRUE(w.ok());
  MemorySource junk(AsBytes("not an envelope at all"));
  EXPECT_EQ(w->AddItem(PullItem(), junk).error().code, ErrorCode::kMalformed);
  const Item it = PullItem();
  const auto bytes = Envelope("x");
  MemorySource a(bytes);
  ASSERT_TRUE(w->AddItem(it, a).ok());
  MemorySource b(bytes);
  EXPECT_FALSE(w->AddItem(it, b).ok());
  MemorySource c(bytes);
  EXPECT_EQ(w->AddItem(PullItem(), c, bytes.size() + 1).error().code, ErrorCode::kTruncated);
}

TEST(Bundle, AnUncommittedBundleLeavesNoFile) {
  testing::TempDir dir;
  {
    auto w = BundleWriter::Create(dir / "x.bundle", "pull", "MET", "2026-11-22");
    ASSERT_TRUE(w.ok());
    const auto bytes = Envelope("x");
    MemorySource a(bytes);
    ASSERT_TRUE(w->AddItem(PullItem(), a).ok());
  }
  EXPECT_TRUE(testing::ListDir(dir.path()).empty());
}

TEST(Bundle, EveryKindOfDamageIsRefused) {
  testing::TempDir dir;
  const std::string good = testing::ReadFileOrDie(Write(dir, "g.bundle", "pull", {PullItem(), PullItem()}));
  auto check = [&](const std::string& name, const std::string& bytes, ErrorCode code) {
    testing::WriteFileOrDie(dir / name, bytes);
    auto r = BundleReader::Open(dir / name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, code) << name << ": " << r.error().message;
  };
  check("empty", "", ErrorCode::kTruncated);
  check("truncated-end", good.substr(0, good.size() - 1), ErrorCode::kTruncated);
  check("truncated-half", good.substr(0, good.size() / 2), ErrorCode::kTruncated);
  check("trailing-byte", good + "x", ErrorCode::kTruncated);
  std::string s = good;
  s[0] = 'X';
  check("bad-magic", s, ErrorCode::kBadMagic);
  s = good;
  s[8] = 2;
  check("bad-version", s, ErrorCode::kUnsupportedVersion);
  s = good;
  s[12] = 1;
  check("reserved-byte", s, ErrorCode::kMalformed);
  s = good;
  s[1000] ^= 1;
  check("item-byte-flipped", s, ErrorCode::kPayloadCorrupt);
  s = good;
  s[s.size() - 1] ^= 1;
  check("trailer-hash-flipped", s, ErrorCode::kPayloadCorrupt);
  // A manifest edited consistently (and its whole-file hash left alone) is still caught.
  s = good;
  const auto at = s.find("\"kind\":\"report\"");
  ASSERT_NE(at, std::string::npos);
  s.replace(at, 15, "\"kind\":\"replyX\"");
  check("manifest-edited", s, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace sealdrop::bundle
